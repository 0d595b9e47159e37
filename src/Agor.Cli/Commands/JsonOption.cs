using System.CommandLine;

namespace Agor.Cli.Commands;

/// <summary>The <c>--json</c> flag every listing has.</summary>
internal static class JsonOption
{
    public static Option<bool> Create() => new("--json") { Description = "Print the API's JSON instead of a table (for scripts)." };
}
