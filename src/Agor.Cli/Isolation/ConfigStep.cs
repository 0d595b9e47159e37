using Agor.Cli.Interop;
using Agor.Daemon.Configuration;
using Agor.Daemon.Executors;
using Agor.Daemon.Hosting;

namespace Agor.Cli.Isolation;

/// <summary>
/// Turns isolation on in the daemon user's config.yaml (<c>run_as_unix_user</c>,
/// <c>executor_unix_user</c>, <c>executor_path</c>) and makes the sandbox required
/// (<c>sandbox.mode: required</c>: a task that cannot be confined is refused), editing the text minimally and keeping the
/// file's owner and mode. A home that does not exist yet is created for that user. What it changed
/// (lines, files) is returned for the manifest; <see cref="RevertAsync"/> puts the lines back.
/// </summary>
internal static class ConfigStep
{
    public static async Task<ConfigStepResult> EnsureAsync(string homePath, UnixUser daemonUser, string executorUser, string executorPath, CancellationToken cancellationToken = default)
    {
        var home = new AgorHome(homePath);
        var created = home.EnsureInitialized();
        foreach (var path in created)
        {
            Native.chown(path, daemonUser.Uid, daemonUser.Gid);
            Console.Out.WriteLine($"config: created {path} for {daemonUser.Name}");
        }

        var original = await File.ReadAllTextAsync(home.ConfigPath, cancellationToken);
        var execution = ConfigYamlEditor.Edit(original, "execution",
        [
            ("run_as_unix_user", "true"),
            ("executor_unix_user", executorUser),
            ("executor_path", ConfigYamlEditor.Quote(executorPath)),
        ]);
        var sandbox = ConfigYamlEditor.Edit(execution.Text, "sandbox", [("mode", Agor.Protocol.Wire.SandboxModes.Required)]);
        var edited = sandbox.Text;
        var changed = execution.Changed.Select(k => $"execution.{k}").Concat(sandbox.Changed.Select(k => $"sandbox.{k}")).ToList();
        var result = new ConfigStepResult(created.Count > 0 || changed.Count > 0, [.. execution.Edits, .. sandbox.Edits], created);

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
            return result;
        }

        await ReplaceAsync(home.ConfigPath, edited, daemonUser, cancellationToken);
        Console.Out.WriteLine($"config: set {string.Join(", ", changed)} in {home.ConfigPath}");
        return result;
    }

    /// <summary>Puts back the lines a setup changed, where they still read as it wrote them; says which it kept.</summary>
    public static async Task RevertAsync(string homePath, UnixUser daemonUser, IReadOnlyList<ConfigLineEdit> edits, CancellationToken cancellationToken = default)
    {
        var configPath = new AgorHome(homePath).ConfigPath;
        if (edits.Count == 0 || !File.Exists(configPath))
        {
            Console.Out.WriteLine($"config: nothing to put back in {configPath}");
            return;
        }

        var (text, reverted, kept) = ConfigYamlEditor.Revert(await File.ReadAllTextAsync(configPath, cancellationToken), edits);
        if (reverted.Count > 0)
        {
            await ReplaceAsync(configPath, text, daemonUser, cancellationToken);
            Console.Out.WriteLine($"config: put back {string.Join(", ", reverted)} in {configPath} as they were before setup");
        }

        if (kept.Count > 0)
        {
            Console.Out.WriteLine($"config: kept {string.Join(", ", kept)} in {configPath} (changed since setup)");
        }
    }

    /// <summary>Replaces the file through a temporary one with its mode, owned by the daemon user.</summary>
    private static async Task ReplaceAsync(string path, string text, UnixUser owner, CancellationToken cancellationToken)
    {
        var mode = File.GetUnixFileMode(path);
        var draft = $"{path}.{Environment.ProcessId}.tmp";
        await File.WriteAllTextAsync(draft, text, cancellationToken);
        File.SetUnixFileMode(draft, mode);
        Native.chown(draft, owner.Uid, owner.Gid);
        File.Move(draft, path, overwrite: true);
    }
}

/// <summary>Whether the config step changed anything, the config lines it changed, and the files it created in the home.</summary>
internal sealed record ConfigStepResult(bool Changed, IReadOnlyList<ConfigLineEdit> Edits, IReadOnlyList<string> Created);
