using System.Text.Json;
using Agor.Cli.Interop;

namespace Agor.Cli.Isolation;

/// <summary>
/// What a setup made for one daemon, kept in its AGOR_HOME (root's, mode 0600) for <c>--undo</c>:
/// whether it created the executor user, the sudoers file, the installed executor, the AppArmor
/// profile it wrote, and each config.yaml line it changed with its old text. A second setup adds to
/// what the first recorded: a line's old text stays the one from before the first setup.
/// </summary>
internal sealed record SetupManifest(
    string DaemonUser,
    string ExecutorUser,
    bool CreatedUser,
    string SudoersPath,
    string InstallDirectory,
    string? AppArmorProfile,
    IReadOnlyList<ConfigLineEdit> ConfigEdits,
    IReadOnlyList<string> CreatedInHome)
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>This setup's record joined to an earlier one's (null: none).</summary>
    public SetupManifest After(SetupManifest? earlier)
    {
        if (earlier is null)
        {
            return this;
        }

        // A line edited by both: the earlier text before, this text after.
        var edits = earlier.ConfigEdits.ToList();
        foreach (var edit in ConfigEdits)
        {
            var index = edits.FindIndex(e => e.Section == edit.Section && e.Key == edit.Key);
            if (index < 0)
            {
                edits.Add(edit);
            }
            else
            {
                edits[index] = edits[index] with { After = edit.After };
            }
        }

        return this with
        {
            CreatedUser = CreatedUser || (earlier.CreatedUser && earlier.ExecutorUser == ExecutorUser),
            AppArmorProfile = AppArmorProfile ?? earlier.AppArmorProfile,
            ConfigEdits = edits,
            CreatedInHome = [.. earlier.CreatedInHome.Union(CreatedInHome)],
        };
    }

    public static async Task<SetupManifest?> ReadAsync(string path, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(await File.ReadAllTextAsync(path, cancellationToken));
            var root = document.RootElement;
            return new SetupManifest(
                root.GetProperty("daemon_user").GetString()!,
                root.GetProperty("executor_user").GetString()!,
                root.GetProperty("created_user").GetBoolean(),
                root.GetProperty("sudoers").GetString()!,
                root.GetProperty("install_directory").GetString()!,
                root.GetProperty("apparmor_profile").GetString(),
                [.. root.GetProperty("config_edits").EnumerateArray().Select(e => new ConfigLineEdit(
                    e.GetProperty("section").GetString()!,
                    e.GetProperty("key").GetString(),
                    e.GetProperty("before").GetString(),
                    e.GetProperty("after").GetString()!))],
                [.. root.GetProperty("created_in_home").EnumerateArray().Select(e => e.GetString()!)]);
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new CliException($"{path} is not a manifest this agor can read ({ex.Message}); undo by hand: the user, {IsolationTarget.SudoersDirectory}/agor-*, {IsolationTarget.InstallRoot}/agor-*, config.yaml's execution section");
        }
    }

    /// <summary>Writes the manifest (root's, 0600) through a temporary file.</summary>
    public async Task WriteAsync(string path, CancellationToken cancellationToken)
    {
        var draft = $"{path}.{Environment.ProcessId}.tmp";
        await using (var stream = new FileStream(draft, new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, UnixCreateMode = OwnerOnly }))
        await using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("written_by", "agor setup-executor-isolation; `agor setup-executor-isolation --undo` removes what it lists");
            json.WriteString("daemon_user", DaemonUser);
            json.WriteString("executor_user", ExecutorUser);
            json.WriteBoolean("created_user", CreatedUser);
            json.WriteString("sudoers", SudoersPath);
            json.WriteString("install_directory", InstallDirectory);
            json.WriteString("apparmor_profile", AppArmorProfile);
            json.WriteStartArray("config_edits");
            foreach (var edit in ConfigEdits)
            {
                json.WriteStartObject();
                json.WriteString("section", edit.Section);
                json.WriteString("key", edit.Key);
                json.WriteString("before", edit.Before);
                json.WriteString("after", edit.After);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteStartArray("created_in_home");
            foreach (var created in CreatedInHome)
            {
                json.WriteStringValue(created);
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        Native.chown(draft, 0, 0);
        File.SetUnixFileMode(draft, OwnerOnly);
        File.Move(draft, path, overwrite: true);
    }
}
