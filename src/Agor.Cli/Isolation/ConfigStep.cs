using Agor.Cli.Interop;
using Agor.Daemon.Configuration;
using Agor.Daemon.Executors;
using Agor.Daemon.Hosting;

namespace Agor.Cli.Isolation;

/// <summary>
/// Turns isolation on in the daemon user's config.yaml (<c>run_as_unix_user</c>,
/// <c>executor_unix_user</c>, <c>executor_path</c>) and makes the sandbox required
/// (<c>sandbox.mode: required</c>: a task that cannot be confined is refused), editing the text minimally and keeping the
/// file's owner and mode. A home that does not exist yet is created for that user.
/// </summary>
internal static class ConfigStep
{
    public static async Task<bool> EnsureAsync(string homePath, UnixUser daemonUser, string executorUser, string executorPath, CancellationToken cancellationToken = default)
    {
        var home = new AgorHome(homePath);
        var created = home.EnsureInitialized();
        foreach (var path in created)
        {
            Native.chown(path, daemonUser.Uid, daemonUser.Gid);
            Console.Out.WriteLine($"config: created {path} for {daemonUser.Name}");
        }

        var original = await File.ReadAllTextAsync(home.ConfigPath, cancellationToken);
        var (withExecution, executionChanged) = ConfigYamlEditor.SetExecution(original,
        [
            ("run_as_unix_user", "true"),
            ("executor_unix_user", executorUser),
            ("executor_path", ConfigYamlEditor.Quote(executorPath)),
        ]);
        var (edited, sandboxChanged) = ConfigYamlEditor.Set(withExecution, "sandbox", [("mode", Agor.Protocol.Wire.SandboxModes.Required)]);
        var changed = executionChanged.Select(k => $"execution.{k}").Concat(sandboxChanged.Select(k => $"sandbox.{k}")).ToList();

        AgorConfig config;
        try
        {
            config = ConfigLoader.Parse(edited, home.Path, new Dictionary<string, string?>(), home.ConfigPath);
        }
        catch (ConfigException ex)
        {
            throw new CliException($"{home.ConfigPath} was left as it was: {ex.Message}");
        }

        if (!config.Execution.RunAsUnixUser || config.Execution.ExecutorUnixUser != executorUser || config.Execution.ExecutorPath != executorPath
            || config.Sandbox.Mode != Agor.Protocol.Wire.SandboxModes.Required)
        {
            throw new CliException($"{home.ConfigPath} was left as it was: the edit did not read back as intended; set execution.run_as_unix_user: true, executor_unix_user: {executorUser}, executor_path: {executorPath} and sandbox.mode: required by hand");
        }

        if (changed.Count == 0)
        {
            Console.Out.WriteLine($"config: {home.ConfigPath} already runs executors as {executorUser} from {executorPath}, sandbox required");
            return created.Count > 0;
        }

        var mode = File.GetUnixFileMode(home.ConfigPath);
        var draft = $"{home.ConfigPath}.{Environment.ProcessId}.tmp";
        await File.WriteAllTextAsync(draft, edited, cancellationToken);
        File.SetUnixFileMode(draft, mode);
        Native.chown(draft, daemonUser.Uid, daemonUser.Gid);
        File.Move(draft, home.ConfigPath, overwrite: true);
        Console.Out.WriteLine($"config: set {string.Join(", ", changed)} in {home.ConfigPath}");
        return true;
    }
}
