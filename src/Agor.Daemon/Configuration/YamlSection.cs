using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace Agor.Daemon.Configuration;

/// <summary>
/// Reads one mapping of the config file with typed accessors that record, rather than throw,
/// each problem under its full key name ("execution.max_executors: must be ...").
/// </summary>
internal sealed class YamlSection(string prefix, YamlMappingNode? node, List<string> problems)
{
    private readonly HashSet<string> _known = new(StringComparer.Ordinal);

    public YamlSection Section(string key)
    {
        _known.Add(key);
        var value = Find(key);
        if (value is null or YamlScalarNode { Value: null or "" or "~" or "null" })
        {
            return new YamlSection(Name(key), null, problems);
        }

        if (value is YamlMappingNode mapping)
        {
            return new YamlSection(Name(key), mapping, problems);
        }

        problems.Add($"{Name(key)}: must be a mapping of keys");
        return new YamlSection(Name(key), null, problems);
    }

    /// <summary>The keys present in this mapping.</summary>
    public IEnumerable<string> Keys =>
        node?.Children.Keys.OfType<YamlScalarNode>().Select(k => k.Value ?? string.Empty) ?? [];

    public string String(string key, string fallback, bool allowEmpty = false)
    {
        _known.Add(key);
        if (Scalar(key) is not { } text)
        {
            return fallback;
        }

        if (!allowEmpty && text.Length == 0)
        {
            problems.Add($"{Name(key)}: must not be empty");
            return fallback;
        }

        return text;
    }

    public string? OptionalString(string key)
    {
        _known.Add(key);
        return Scalar(key) is { Length: > 0 } text ? text : null;
    }

    public bool Bool(string key, bool fallback)
    {
        _known.Add(key);
        if (Scalar(key) is not { } text)
        {
            return fallback;
        }

        switch (text.ToUpperInvariant())
        {
            case "TRUE" or "YES" or "ON":
                return true;
            case "FALSE" or "NO" or "OFF":
                return false;
            default:
                problems.Add($"{Name(key)}: must be true or false, not '{text}'");
                return fallback;
        }
    }

    public long Integer(string key, long fallback, long min, long max)
    {
        _known.Add(key);
        if (Scalar(key) is not { } text)
        {
            return fallback;
        }

        if (!long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
        {
            problems.Add($"{Name(key)}: must be a whole number, not '{text}'");
            return fallback;
        }

        if (value < min || value > max)
        {
            problems.Add($"{Name(key)}: must be between {min} and {max}, not {value}");
            return fallback;
        }

        return value;
    }

    /// <summary>A decimal number between <paramref name="min"/> and <paramref name="max"/>.</summary>
    public double Number(string key, double fallback, double min, double max)
    {
        _known.Add(key);
        if (Scalar(key) is not { } text)
        {
            return fallback;
        }

        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
        {
            problems.Add($"{Name(key)}: must be a number, not '{text}'");
            return fallback;
        }

        if (value < min || value > max)
        {
            problems.Add($"{Name(key)}: must be between {min.ToString(CultureInfo.InvariantCulture)} and {max.ToString(CultureInfo.InvariantCulture)}, not {text}");
            return fallback;
        }

        return value;
    }

    /// <summary>A list of strings (<c>[a, b]</c> or one item per line); empty when absent.</summary>
    public IReadOnlyList<string> StringList(string key, IReadOnlyList<string> fallback)
    {
        _known.Add(key);
        switch (Find(key))
        {
            case null:
                return fallback;
            case YamlScalarNode { Value: null or "" or "~" or "null" }:
                return [];
            case YamlSequenceNode { Children.Count: 0 }:
                return [];
            case YamlSequenceNode sequence when sequence.Children.All(c => c is YamlScalarNode):
                return [.. sequence.Children.Cast<YamlScalarNode>().Select(c => c.Value ?? string.Empty)];
            default:
                problems.Add($"{Name(key)}: must be a list of values");
                return [];
        }
    }

    /// <summary>Records every key of this mapping that no accessor asked for.</summary>
    public void RejectUnknownKeys()
    {
        foreach (var key in Keys)
        {
            if (!_known.Contains(key))
            {
                problems.Add($"{Name(key)}: unknown key");
            }
        }
    }

    private string? Scalar(string key)
    {
        switch (Find(key))
        {
            case null:
                return null;
            case YamlScalarNode scalar:
                return scalar.Value is "~" or "null" ? null : scalar.Value ?? string.Empty;
            default:
                problems.Add($"{Name(key)}: must be a single value");
                return null;
        }
    }

    private YamlNode? Find(string key) =>
        node is not null && node.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;

    private string Name(string key) => prefix.Length == 0 ? key : $"{prefix}.{key}";
}
