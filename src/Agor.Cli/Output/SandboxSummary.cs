using System.Text.Json;

namespace Agor.Cli.Output;

/// <summary>The sandbox part of <c>GET /health</c> in words, for <c>agor daemon status</c>.</summary>
internal static class SandboxSummary
{
    /// <summary>e.g. <c>confined (mode auto; bwrap /usr/bin/bwrap, seccomp, limits cgroup v1; namespaces mount, pid)</c>.</summary>
    public static string Describe(JsonElement sandbox)
    {
        if (sandbox.ValueKind != JsonValueKind.Object)
        {
            return "unknown (the daemon does not say)";
        }

        var mode = sandbox.Text("mode");
        var available = sandbox.TryGetProperty("available", out var a) && a.ValueKind == JsonValueKind.True;
        var seccomp = sandbox.TryGetProperty("seccomp", out var s) && s.ValueKind == JsonValueKind.True;
        var namespaces = sandbox.TryGetProperty("namespaces", out var n) && n.ValueKind == JsonValueKind.Array
            ? string.Join(", ", n.EnumerateArray().Select(x => x.GetString()))
            : string.Empty;
        var state = mode == "off" ? "off (agents run unconfined by configuration)"
            : available ? "confined"
            : mode == "required" ? "UNAVAILABLE: tasks are refused"
            : "UNAVAILABLE: agents run UNCONFINED";
        return $"{state} (mode {mode}; bwrap {(sandbox.Text("bwrap") is { Length: > 0 } b ? b : "not found")}, seccomp {(seccomp ? "yes" : "no")}, limits {sandbox.Text("limits")}{(namespaces.Length > 0 ? $"; namespaces {namespaces}" : string.Empty)})";
    }

    /// <summary>The daemon's warning when tasks run unconfined or are refused; null otherwise.</summary>
    public static string? Warning(JsonElement sandbox) =>
        sandbox.ValueKind == JsonValueKind.Object && sandbox.TryGetProperty("warning", out var w) && w.ValueKind == JsonValueKind.String
            ? w.GetString()
            : null;
}
