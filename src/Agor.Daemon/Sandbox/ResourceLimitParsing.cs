using System.Globalization;

namespace Agor.Daemon.Sandbox;

/// <summary>
/// Parses the text of <c>sandbox.memory_max</c>, <c>pids_max</c> and <c>cpu_max</c>. Errors name the
/// value and what is accepted; the config loader prefixes the key.
/// </summary>
internal static class ResourceLimitParsing
{
    // The kernel's PID_MAX_LIMIT: pids.max accepts nothing above it.
    private const long PidsCeiling = 4_194_304;

    /// <summary>
    /// Bytes of a memory size: <c>4G</c>, <c>512M</c>, <c>1073741824</c>, with K/M/G/T binary units
    /// (case-insensitive, an optional trailing <c>B</c> or <c>iB</c>); empty or 0: no limit (0).
    /// </summary>
    public static long ParseMemory(string? text)
    {
        var value = (text ?? string.Empty).Trim();
        if (value.Length == 0)
        {
            return 0;
        }

        // "4GiB" needs its unit; "512MB" and "100B" may have one.
        var binarySuffix = EndsWith(value, "ib");
        var number = binarySuffix ? value[..^2] : EndsWith(value, "b") ? value[..^1] : value;
        var multiplier = 1L;
        if (number.Length > 0 && Unit(number[^1]) is { } unit)
        {
            multiplier = unit;
            number = number[..^1];
        }
        else if (binarySuffix)
        {
            throw MemoryError(text);
        }

        if (number.Length == 0
            || !long.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out var amount)
            || amount > long.MaxValue / multiplier)
        {
            throw MemoryError(text);
        }

        return amount * multiplier;
    }

    /// <summary>A process count: an integer ≥ 0; 0: no limit.</summary>
    public static long ParsePids(string? text)
    {
        var value = (text ?? string.Empty).Trim();
        if (value.Length == 0)
        {
            return 0;
        }

        if (!long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var pids) || pids > PidsCeiling)
        {
            throw new FormatException($"'{text}' is not a number of processes; use a whole number (512) up to {PidsCeiling}, or 0 for no limit");
        }

        return pids;
    }

    /// <summary>CPU cores: <c>200%</c> = 2.0, <c>1.5</c> = 1.5, more than 0; empty: no limit (null).</summary>
    public static double? ParseCpu(string? text)
    {
        var value = (text ?? string.Empty).Trim();
        if (value.Length == 0)
        {
            return null;
        }

        var percent = value.EndsWith('%');
        var number = percent ? value[..^1].TrimEnd() : value;
        if (!double.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var amount)
            || !double.IsFinite(amount)
            || amount <= 0)
        {
            throw new FormatException($"'{text}' is not a CPU limit; use a share of cores more than 0: a percentage (200% = two cores) or a number of cores (1.5), or leave it empty for no limit");
        }

        var cores = percent ? amount / 100 : amount;

        // The kernel's smallest CFS quota is 1 ms per 100 ms period.
        return cores < 0.01
            ? throw new FormatException($"'{text}' is below the smallest CPU limit the kernel enforces (1% of one core)")
            : cores;
    }

    private static long? Unit(char c) => char.ToLowerInvariant(c) switch
    {
        'k' => 1L << 10,
        'm' => 1L << 20,
        'g' => 1L << 30,
        't' => 1L << 40,
        _ => null,
    };

    private static bool EndsWith(string value, string suffix) => value.EndsWith(suffix, StringComparison.OrdinalIgnoreCase);

    private static FormatException MemoryError(string? text) =>
        new($"'{text}' is not a memory size; use bytes (1073741824) or a number with K, M, G or T (binary units: 512M, 4G, 4GiB), or 0 for no limit");
}
