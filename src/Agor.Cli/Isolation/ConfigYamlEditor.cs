using System.Text;
using System.Text.RegularExpressions;

namespace Agor.Cli.Isolation;

/// <summary>
/// Sets keys of one top-level section (<c>execution:</c>, <c>sandbox:</c>) in config.yaml text with the smallest edit: a key's
/// value is replaced where it stands (indentation and trailing comment kept), a missing key is
/// added at the end of the section, a missing section at the end of the file. Each changed line is
/// reported as a <see cref="ConfigLineEdit"/>, so that <see cref="Revert"/> can put the text back.
/// </summary>
internal static partial class ConfigYamlEditor
{
    /// <summary>Sets keys of <c>execution:</c>; returns the edited text and the keys whose value changed.</summary>
    public static (string Text, IReadOnlyList<string> Changed) SetExecution(string yaml, IReadOnlyList<(string Key, string Value)> values) =>
        Set(yaml, "execution", values);

    /// <summary>Sets keys of <paramref name="section"/> (a plain key name); returns the edited text and the keys whose value changed.</summary>
    public static (string Text, IReadOnlyList<string> Changed) Set(string yaml, string section, IReadOnlyList<(string Key, string Value)> values)
    {
        var result = Edit(yaml, section, values);
        return (result.Text, result.Changed);
    }

    /// <summary>As <see cref="Set"/>, also returning each line it replaced or added.</summary>
    public static ConfigEditResult Edit(string yaml, string section, IReadOnlyList<(string Key, string Value)> values)
    {
        ArgumentException.ThrowIfNullOrEmpty(section);
        var sectionHeader = new Regex($@"^{Regex.Escape(section)}\s*:", RegexOptions.CultureInvariant);
        var sectionHeaderAlone = new Regex($@"^{Regex.Escape(section)}\s*:\s*(#.*)?$", RegexOptions.CultureInvariant);
        ArgumentNullException.ThrowIfNull(yaml);
        ArgumentNullException.ThrowIfNull(values);
        var newline = yaml.Contains("\r\n", StringComparison.Ordinal) ? "\r\n" : "\n";
        var lines = yaml.Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        var changed = new List<string>();
        var edits = new List<ConfigLineEdit>();

        var start = lines.FindIndex(sectionHeader.IsMatch);
        if (start < 0)
        {
            if (lines.Count > 0 && lines[^1].Length == 0)
            {
                lines.RemoveAt(lines.Count - 1);
            }

            lines.Add($"{section}:");
            lines.AddRange(values.Select(v => $"  {v.Key}: {v.Value}"));
            lines.Add(string.Empty);
            List<ConfigLineEdit> added = [new(section, null, null, $"{section}:"), .. values.Select(v => new ConfigLineEdit(section, v.Key, null, $"  {v.Key}: {v.Value}"))];
            return new ConfigEditResult(string.Join(newline, lines), values.Select(v => v.Key).ToList(), added);
        }

        if (!sectionHeaderAlone.IsMatch(lines[start]))
        {
            throw new CliException($"config.yaml writes the '{section}:' section on one line; set {string.Join(", ", values.Select(v => $"{v.Key}: {v.Value}"))} in it by hand");
        }

        var end = start + 1;
        while (end < lines.Count && (lines[end].Length == 0 || char.IsWhiteSpace(lines[end][0]) || lines[end][0] == '#'))
        {
            end++;
        }

        var indent = lines.Skip(start + 1).Take(end - start - 1).Select(l => KeyLine().Match(l)).FirstOrDefault(m => m.Success)?.Groups["indent"].Value ?? "  ";
        foreach (var (key, value) in values)
        {
            var index = -1;
            Match? match = null;
            for (var i = start + 1; i < end; i++)
            {
                var m = KeyLine().Match(lines[i]);
                if (m.Success && m.Groups["indent"].Value == indent && m.Groups["key"].Value == key)
                {
                    index = i;
                    match = m;
                    break;
                }
            }

            if (match is null)
            {
                var last = start;
                for (var i = start + 1; i < end; i++)
                {
                    if (lines[i].Trim().Length > 0 && char.IsWhiteSpace(lines[i][0]))
                    {
                        last = i;
                    }
                }

                lines.Insert(last + 1, $"{indent}{key}: {value}");
                edits.Add(new ConfigLineEdit(section, key, null, lines[last + 1]));
                end++;
                changed.Add(key);
                continue;
            }

            var (current, comment) = SplitComment(match.Groups["rest"].Value);
            if (Unquote(current.Trim()) == Unquote(value))
            {
                continue;
            }

            var valueField = comment.Length == 0 ? value : value.PadRight(Math.Max(current.TrimStart().Length, value.Length + 1));
            var before = lines[index];
            lines[index] = $"{indent}{key}: {valueField}{comment}".TrimEnd();
            edits.Add(new ConfigLineEdit(section, key, before, lines[index]));
            changed.Add(key);
        }

        return new ConfigEditResult(string.Join(newline, lines), changed, edits);
    }

    /// <summary>
    /// Undoes <paramref name="edits"/> (as <see cref="Edit"/> reported them): a line still reading as
    /// it was written gets its old text back (or goes, when it was added; an added section header goes
    /// once no key is left under it). A line changed since is kept and named in <c>Kept</c>.
    /// </summary>
    public static (string Text, IReadOnlyList<string> Reverted, IReadOnlyList<string> Kept) Revert(string yaml, IReadOnlyList<ConfigLineEdit> edits)
    {
        ArgumentNullException.ThrowIfNull(yaml);
        ArgumentNullException.ThrowIfNull(edits);
        var newline = yaml.Contains("\r\n", StringComparison.Ordinal) ? "\r\n" : "\n";
        var lines = yaml.Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        var reverted = new List<string>();
        var kept = new List<string>();
        foreach (var edit in edits.Reverse())
        {
            var start = lines.FindIndex(l => l == $"{edit.Section}:" || SectionHeader(edit.Section).IsMatch(l));
            var end = start + 1;
            while (start >= 0 && end < lines.Count && (lines[end].Length == 0 || char.IsWhiteSpace(lines[end][0]) || lines[end][0] == '#'))
            {
                end++;
            }

            if (edit.Key is null)
            {
                var empty = start >= 0 && lines.Skip(start + 1).Take(end - start - 1).All(l => l.Trim().Length == 0);
                if (start >= 0 && lines[start] == edit.After && empty)
                {
                    lines.RemoveAt(start);
                    reverted.Add(edit.Section);
                }
                else if (start >= 0)
                {
                    kept.Add(edit.Section);
                }

                continue;
            }

            var index = start < 0 ? -1 : lines.FindIndex(start + 1, end - start - 1, l => l == edit.After);
            if (index < 0)
            {
                kept.Add($"{edit.Section}.{edit.Key}");
                continue;
            }

            if (edit.Before is null)
            {
                lines.RemoveAt(index);
            }
            else
            {
                lines[index] = edit.Before;
            }

            reverted.Add($"{edit.Section}.{edit.Key}");
        }

        return (string.Join(newline, lines), reverted, kept);
    }

    private static Regex SectionHeader(string section) =>
        new($@"^{Regex.Escape(section)}\s*:\s*(#.*)?$", RegexOptions.CultureInvariant);

    /// <summary>The value part and the comment (from its '#') of what follows <c>key:</c>; a '#' inside quotes is not a comment.</summary>
    private static (string Value, string Comment) SplitComment(string rest)
    {
        char? quote = null;
        for (var i = 0; i < rest.Length; i++)
        {
            var c = rest[i];
            if (quote is null && c is '"' or '\'')
            {
                quote = c;
            }
            else if (quote == c)
            {
                quote = null;
            }
            else if (quote is null && c == '#' && (i == 0 || char.IsWhiteSpace(rest[i - 1])))
            {
                return (rest[..i], rest[i..]);
            }
        }

        return (rest, string.Empty);
    }

    private static string Unquote(string value) =>
        value.Length >= 2 && (value[0] == '"' || value[0] == '\'') && value[^1] == value[0] ? value[1..^1] : value;

    /// <summary>Quotes a string value for YAML (double quotes; our values hold no quotes or backslashes).</summary>
    public static string Quote(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var quoted = new StringBuilder("\"");
        foreach (var c in value)
        {
            if (c is '"' or '\\')
            {
                quoted.Append('\\');
            }

            quoted.Append(c);
        }

        return quoted.Append('"').ToString();
    }

    [GeneratedRegex(@"^(?<indent>[ \t]+)(?<key>[A-Za-z_][A-Za-z0-9_]*)\s*:(?<rest>.*)$")]
    private static partial Regex KeyLine();
}
