using Agor.Daemon.Sandbox;
using Agor.Protocol.Wire;

namespace Agor.Daemon.Configuration;

/// <summary>Reads and validates the <c>sandbox:</c> section; every bad value is named by its key.</summary>
internal static class SandboxConfigReader
{
    private const long MinimumMemoryMax = 1L << 20;

    public static SandboxSettings Read(YamlSection section, List<string> problems)
    {
        var defaults = new SandboxSettings();
        var settings = new SandboxSettings
        {
            Mode = section.String("mode", defaults.Mode),
            BwrapPath = section.String("bwrap_path", defaults.BwrapPath),
            MemoryMax = section.String("memory_max", defaults.MemoryMax, allowEmpty: true).Trim(),
            PidsMax = section.Integer("pids_max", defaults.PidsMax, 0, 4_194_304),
            CpuMax = section.String("cpu_max", defaults.CpuMax, allowEmpty: true).Trim(),
            ReadOnly = section.StringList("read_only", defaults.ReadOnly),
            ReadWrite = section.StringList("read_write", defaults.ReadWrite),
            Deny = section.StringList("deny", defaults.Deny),
            AgentHomes = section.String("agent_homes", defaults.AgentHomes, allowEmpty: true),
            HomeTemplate = section.String("home_template", defaults.HomeTemplate, allowEmpty: true),
        };
        section.RejectUnknownKeys();

        if (!SandboxModes.IsKnown(settings.Mode))
        {
            problems.Add($"sandbox.mode: must be auto, required or off, not '{settings.Mode}'");
        }

        Check("memory_max", () => ResourceLimitParsing.ParseMemory(settings.MemoryMax) is > 0 and < MinimumMemoryMax
            ? throw new FormatException($"'{settings.MemoryMax}' is below the smallest memory limit accepted (1M); an agent cannot start in less")
            : 0, problems);
        Check("cpu_max", () => ResourceLimitParsing.ParseCpu(settings.CpuMax), problems);

        RequireAbsolute("read_only", settings.ReadOnly, problems);
        RequireAbsolute("read_write", settings.ReadWrite, problems);
        RequireAbsolute("deny", settings.Deny, problems);
        RequireAbsolute("agent_homes", settings.AgentHomes.Length == 0 ? [] : [settings.AgentHomes], problems);
        RequireAbsolute("home_template", settings.HomeTemplate.Length == 0 ? [] : [settings.HomeTemplate], problems);
        return settings;
    }

    private static void Check(string key, Func<object?> parse, List<string> problems)
    {
        try
        {
            _ = parse();
        }
        catch (FormatException ex)
        {
            problems.Add($"sandbox.{key}: {ex.Message}");
        }
    }

    private static void RequireAbsolute(string key, IReadOnlyList<string> paths, List<string> problems)
    {
        foreach (var path in paths)
        {
            if (!Path.IsPathFullyQualified(path))
            {
                problems.Add($"sandbox.{key}: '{path}' is not an absolute path (relative paths would depend on where the daemon was started)");
            }
        }
    }
}
