using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Agor.Executor.Agents;
using Agor.Executor.Guard;
using Agor.Executor.Interop;

namespace Agor.Executor.Sandbox;

/// <summary>
/// <c>agor-executor --probe-sandbox [--bwrap PATH]</c>: runs a bare <c>true</c> under the full bwrap
/// line (every namespace, the seccomp filter) and prints one JSON line saying whether it works here,
/// and if not, what stands in the way and how to fix it.
/// </summary>
internal static class SandboxProbe
{
    public const string Switch = "--probe-sandbox";

    public static async Task<int> RunAsync(IReadOnlyList<string> args)
    {
        var bwrapOption = "bwrap";
        for (var i = 1; i < args.Count; i++)
        {
            if (args[i] == "--bwrap" && i + 1 < args.Count)
            {
                bwrapOption = args[++i];
            }
            else
            {
                await Console.Error.WriteLineAsync($"usage: agor-executor {Switch} [--bwrap PATH]");
                return 64;
            }
        }

        var result = await ProbeAsync(bwrapOption);
        Console.Out.WriteLine(result.ToJson());
        return 0;
    }

    public static async Task<ProbeResult> ProbeAsync(string bwrapOption)
    {
        var bwrap = ExecutablePath.Resolve(bwrapOption, Environment.GetEnvironmentVariable("PATH"));
        if (bwrap is null)
        {
            return new ProbeResult(null, null, false, [], false,
                $"bubblewrap was not found at '{bwrapOption}'",
                "install it (Debian/Ubuntu: apt-get install bubblewrap) or set sandbox.bwrap_path to its path");
        }

        var version = await RunAsync(bwrap, ["--version"]) is (0, var output, _) ? output.Trim().Split(' ').LastOrDefault() : null;
        var unshareUser = Libc.geteuid() != 0;
        var scratch = Directory.CreateTempSubdirectory("agor-probe-");
        try
        {
            var cwd = Directory.CreateDirectory(Path.Combine(scratch.FullName, "cwd")).FullName;
            var home = Directory.CreateDirectory(Path.Combine(scratch.FullName, "home")).FullName;
            var truePath = ExecutablePath.Resolve("true", Environment.GetEnvironmentVariable("PATH")) ?? "/bin/true";
            var layout = new BwrapLayout
            {
                WorkingDirectory = cwd,
                AgentHome = home,
                ProgramPaths = AgentProgramPaths.For(truePath, Environment.GetEnvironmentVariable("PATH")),
                PasswdHomes = PasswdHomes.Read(),
                UnshareUser = unshareUser,

                // Every sandbox has a network namespace of its own: one that cannot be made is no sandbox.
                Network = new Network.NetworkLayout([], 1),
            };
            var (arguments, _) = BwrapCommand.Build(layout);
            var seccompFd = GuardSetup.SeccompFd();
            if (seccompFd is not { } fd)
            {
                return new ProbeResult(bwrap, version, false, [], false,
                    "the seccomp filter cannot be built here (only x86_64 and aarch64 are supported) or memfd_create failed", null);
            }

            (int Code, string Out, string Err) full;
            try
            {
                full = await RunAsync(bwrap, ["--seccomp", fd.ToString(CultureInfo.InvariantCulture), .. arguments, "--", truePath]);
            }
            finally
            {
                _ = Libc.close(fd);
            }

            if (full.Code == 0)
            {
                return new ProbeResult(bwrap, version, true, layout.Namespaces, true, null, null);
            }

            var bare = await RunAsync(bwrap, [.. arguments, "--", truePath]);
            var said = FirstLine(full.Err) ?? $"bwrap exited with code {full.Code}";
            if (bare.Code == 0)
            {
                return new ProbeResult(bwrap, version, false, [], false, $"bwrap runs, but not with the seccomp filter: {said}", "check that the kernel has seccomp filtering (CONFIG_SECCOMP_FILTER)");
            }

            var (withoutNetwork, _) = BwrapCommand.Build(layout with { Network = null });
            if ((await RunAsync(bwrap, [.. withoutNetwork, "--", truePath])).Code == 0)
            {
                return new ProbeResult(bwrap, version, false, [], false, $"bwrap cannot give the agent a network namespace of its own (--unshare-net): {said}",
                    "allow network namespaces for the executor's user (in a container: let it create them, e.g. docker run --cap-add NET_ADMIN or a seccomp profile that permits unshare(CLONE_NEWNET))");
            }

            var (problem, fix) = UserNamespaceProblem(unshareUser) ?? ($"bwrap cannot set up the sandbox: {said}", null);
            return new ProbeResult(bwrap, version, false, [], false, problem, fix);
        }
        finally
        {
            scratch.Delete(recursive: true);
        }
    }

    /// <summary>What the kernel's settings say about unprivileged user namespaces, where bwrap needs one.</summary>
    private static (string Problem, string? Fix)? UserNamespaceProblem(bool unshareUser)
    {
        if (!unshareUser)
        {
            return null;
        }

        if (Sysctl("kernel/apparmor_restrict_unprivileged_userns") == "1")
        {
            return ("kernel.apparmor_restrict_unprivileged_userns=1: AppArmor (Ubuntu 23.10+) forbids unprivileged user namespaces to programs without a profile",
                "install the AppArmor profile for bwrap (agor setup-executor-isolation does; or apt-get install apparmor-profiles and load /etc/apparmor.d/bwrap-userns-restrict), or set sysctl kernel.apparmor_restrict_unprivileged_userns=0");
        }

        if (Sysctl("user/max_user_namespaces") == "0")
        {
            return ("user.max_user_namespaces=0: user namespaces are disabled", "sysctl -w user.max_user_namespaces=15000 (and persist it in /etc/sysctl.d)");
        }

        if (Sysctl("kernel/unprivileged_userns_clone") == "0")
        {
            return ("kernel.unprivileged_userns_clone=0: unprivileged user namespaces are disabled", "sysctl -w kernel.unprivileged_userns_clone=1 (and persist it in /etc/sysctl.d)");
        }

        return null;
    }

    private static string? Sysctl(string name)
    {
        try
        {
            return File.ReadAllText($"/proc/sys/{name}").Trim();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static string? FirstLine(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault();

    private static async Task<(int Code, string Out, string Err)> RunAsync(string program, IReadOnlyList<string> arguments)
    {
        var start = new ProcessStartInfo(program) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        try
        {
            using var process = Process.Start(start)!;
            process.StandardInput.Close();
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            return (process.ExitCode, await output, await error);
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            return (127, string.Empty, ex.Message);
        }
    }

    /// <summary>The probe's answer, printed as one JSON line.</summary>
    public sealed record ProbeResult(string? Bwrap, string? BwrapVersion, bool Works, IReadOnlyList<string> Namespaces, bool Seccomp, string? Problem, string? Fix)
    {
        public string ToJson()
        {
            var buffer = new System.Buffers.ArrayBufferWriter<byte>();
            using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            {
                writer.WriteStartObject();
                WriteNullable(writer, "bwrap", Bwrap);
                WriteNullable(writer, "bwrap_version", BwrapVersion);
                writer.WriteBoolean("works", Works);
                writer.WriteStartArray("namespaces");
                foreach (var name in Namespaces)
                {
                    writer.WriteStringValue(name);
                }

                writer.WriteEndArray();
                writer.WriteBoolean("seccomp", Seccomp);
                WriteNullable(writer, "problem", Problem);
                WriteNullable(writer, "fix", Fix);
                writer.WriteEndObject();
            }

            return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
        }

        private static void WriteNullable(Utf8JsonWriter writer, string name, string? value)
        {
            if (value is null)
            {
                writer.WriteNull(name);
            }
            else
            {
                writer.WriteString(name, value);
            }
        }
    }
}
