using System.Text;

namespace Agor.Cli.Service;

/// <summary>Writes values into a unit file so that systemd reads back exactly what was meant.</summary>
internal static class SystemdQuoting
{
    /// <summary>
    /// One word of <c>ExecStart=</c> or one <c>Environment=</c> assignment: quoted when it holds a
    /// space, a quote or a backslash, and every <c>%</c> doubled (systemd reads <c>%h</c> and the
    /// like as specifiers). In a command line a <c>$</c> is doubled too, as systemd expands
    /// <c>$NAME</c> there (and not in <c>Environment=</c>).
    /// </summary>
    public static string Word(string value, bool inCommandLine = true)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.Any(c => c is '\n' or '\r' or '\0'))
        {
            throw new ArgumentException("a unit file value cannot hold a line break or a NUL", nameof(value));
        }

        var escaped = new StringBuilder(value.Length + 2);
        var needsQuotes = value.Length == 0;
        foreach (var c in value)
        {
            switch (c)
            {
                case '%':
                    escaped.Append("%%");
                    break;
                case '$' when inCommandLine:
                    escaped.Append("$$");
                    break;
                case '"' or '\\':
                    escaped.Append('\\').Append(c);
                    needsQuotes = true;
                    break;
                case ' ' or '\t' or '\'' or ';':
                    escaped.Append(c);
                    needsQuotes = true;
                    break;
                default:
                    escaped.Append(c);
                    break;
            }
        }

        return needsQuotes ? $"\"{escaped}\"" : escaped.ToString();
    }

    /// <summary>A command line: each argument one <see cref="Word"/>.</summary>
    public static string CommandLine(IEnumerable<string> arguments) => string.Join(' ', arguments.Select(a => Word(a)));

    /// <summary>One <c>Environment=</c> assignment, <c>NAME=value</c>, quoted as a whole where needed.</summary>
    public static string Assignment(string name, string value) => Word($"{name}={value}", inCommandLine: false);
}
