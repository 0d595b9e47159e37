using System.Globalization;

namespace Agor.Daemon.Configuration;

/// <summary>
/// The text forms of <c>sandbox.memory_max</c> (<c>4G</c>, <c>512M</c>, <c>1073741824</c>) and
/// <c>sandbox.cpu_max</c> (<c>200%</c>, <c>1.5</c> CPUs). Empty means no limit.
/// </summary>
internal static class SandboxLimitText
{
    /// <summary>Bytes; null when empty or unparsable (see <see cref="IsValidBytes"/>).</summary>
    public static long? ParseBytes(string text)
    {
        if (text.Length == 0)
        {
            return null;
        }

        var multiplier = char.ToUpperInvariant(text[^1]) switch
        {
            'K' => 1L << 10,
            'M' => 1L << 20,
            'G' => 1L << 30,
            'T' => 1L << 40,
            _ => 1L,
        };
        var number = multiplier == 1 ? text : text[..^1];
        return long.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0 && value <= long.MaxValue / multiplier
            ? value * multiplier
            : null;
    }

    public static bool IsValidBytes(string text) => text.Length == 0 || ParseBytes(text) is >= 1L << 20;

    /// <summary>CPUs (<c>200%</c> → 2.0); null when empty or unparsable.</summary>
    public static double? ParseCpu(string text)
    {
        if (text.Length == 0)
        {
            return null;
        }

        var percent = text.EndsWith('%');
        var number = percent ? text[..^1] : text;
        return double.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value) && value > 0 && double.IsFinite(value)
            ? (percent ? value / 100 : value)
            : null;
    }

    public static bool IsValidCpu(string text) => text.Length == 0 || ParseCpu(text) is >= 0.01;
}
