using System.Text.Json.Nodes;
using Agor.Daemon.Hosting;

namespace Agor.Cli.Doctor;

/// <summary>The checks as a person reads them (one line each, ✓ or ✗, the fix under a ✗) or as JSON.</summary>
internal static class DoctorOutput
{
    public static void Write(TextWriter output, IReadOnlyList<ReadinessCheck> checks)
    {
        var width = checks.Max(c => c.Name.Length);
        foreach (var check in checks)
        {
            output.WriteLine($"{(check.Ok ? "✓" : "✗")} {check.Name.PadRight(width)}  {check.Detail}");
            if (!check.Ok && check.Fix is { } fix)
            {
                output.WriteLine($"  {new string(' ', width)}  fix: {fix}");
            }
        }

        var failed = checks.Count(c => !c.Ok);
        output.WriteLine(failed == 0 ? "everything the configuration needs is here" : $"{failed} of {checks.Count} checks failed");
    }

    public static void WriteJson(TextWriter output, IReadOnlyList<ReadinessCheck> checks)
    {
        var array = new JsonArray();
        foreach (var check in checks)
        {
            array.Add(new JsonObject { ["name"] = check.Name, ["ok"] = check.Ok, ["detail"] = check.Detail, ["fix"] = check.Fix });
        }

        output.WriteLine(array.ToJsonString());
    }
}
