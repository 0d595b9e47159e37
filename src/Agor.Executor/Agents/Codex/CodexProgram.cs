using System.Runtime.InteropServices;

namespace Agor.Executor.Agents.Codex;

/// <summary>
/// The native Codex binary behind the npm wrapper. <c>node_modules/.bin/codex</c> is a link to
/// <c>@openai/codex/bin/codex.js</c>, a Node script that only finds and execs the platform
/// package's static binary; run directly, the binary behaves the same, needs no Node in the
/// sandbox and gets our signals itself.
/// </summary>
internal static class CodexProgram
{
    /// <summary>The native binary for <paramref name="agentPath"/> when it is the npm wrapper; else <paramref name="agentPath"/> unchanged.</summary>
    public static string Resolve(string agentPath, string? searchPath)
    {
        if (ExecutablePath.Resolve(agentPath, searchPath) is not { } program)
        {
            return agentPath;
        }

        var real = Interop.Libc.RealPath(program) ?? program;
        if (!real.EndsWith("/bin/codex.js", StringComparison.Ordinal) || Target() is not { } target)
        {
            return agentPath;
        }

        // The wrapper's package root (…/@openai/codex); the platform package sits beside it or under it.
        var packageRoot = Path.GetDirectoryName(Path.GetDirectoryName(real))!;
        var scope = Path.GetDirectoryName(packageRoot)!;
        var relative = Path.Combine("vendor", target.Triple, "bin", "codex");
        foreach (var candidate in new[]
        {
            Path.Combine(scope, target.Package, relative),
            Path.Combine(packageRoot, "node_modules", "@openai", target.Package, relative),
        })
        {
            if (ExecutablePath.Resolve(candidate, null) is { } native)
            {
                return native;
            }
        }

        return agentPath;
    }

    private static (string Package, string Triple)? Target() => RuntimeInformation.OSArchitecture switch
    {
        Architecture.X64 => ("codex-linux-x64", "x86_64-unknown-linux-musl"),
        Architecture.Arm64 => ("codex-linux-arm64", "aarch64-unknown-linux-musl"),
        _ => null,
    };
}
