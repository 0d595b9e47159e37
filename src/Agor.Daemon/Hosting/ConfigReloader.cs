using Agor.Daemon.Configuration;
using Microsoft.Extensions.Logging;

namespace Agor.Daemon.Hosting;

/// <summary>The outcome of one reload: the keys applied, the keys that wait for a restart, or why the file was refused.</summary>
internal sealed record ConfigReloadResult(IReadOnlyList<string> Applied, IReadOnlyList<string> NeedRestart, string? Problem);

/// <summary>
/// The configuration the daemon runs with, re-read from config.yaml on SIGHUP. The settings that
/// the daemon reads afresh each time it needs them are applied at once (<see cref="LiveKeys"/>);
/// any other change is named in one log line as waiting for a restart; a file that does not load
/// leaves everything as it was. Reloads are serialized; <see cref="Current"/> may be read from any thread.
/// </summary>
internal sealed class ConfigReloader(AgorConfig initial, ILogger logger)
{
    /// <summary>What can change without a restart, and how each is taken over from the new file.</summary>
    private static readonly IReadOnlyDictionary<string, Func<AgorConfig, AgorConfig, AgorConfig>> LiveKeys =
        new Dictionary<string, Func<AgorConfig, AgorConfig, AgorConfig>>(StringComparer.Ordinal)
        {
            // Read by the permission broker for each new question (a pending one keeps its deadline).
            ["execution.permission_timeout_ms"] = (c, f) => c with { Execution = c.Execution with { PermissionTimeoutMs = f.Execution.PermissionTimeoutMs } },

            // Read by the model gateway as each task binds: tasks started after the reload get the new caps.
            ["limits.max_cost_usd_per_task"] = (c, f) => c with { Limits = c.Limits with { MaxCostUsdPerTask = f.Limits.MaxCostUsdPerTask } },
            ["limits.max_cost_usd_per_session"] = (c, f) => c with { Limits = c.Limits with { MaxCostUsdPerSession = f.Limits.MaxCostUsdPerSession } },
        };

    private readonly Lock _gate = new();
    private volatile AgorConfig _current = initial ?? throw new ArgumentNullException(nameof(initial));

    /// <summary>The configuration in use: as started, with the live keys of the last good reload.</summary>
    public AgorConfig Current => _current;

    /// <summary>The keys a reload applies without a restart.</summary>
    public static IReadOnlyCollection<string> Live => (IReadOnlyCollection<string>)LiveKeys.Keys;

    /// <summary>Re-reads config.yaml of the daemon's home with <paramref name="environment"/>'s overrides (those the daemon started with).</summary>
    public ConfigReloadResult Reload(IReadOnlyDictionary<string, string?> environment)
    {
        lock (_gate)
        {
            var current = _current;
            AgorConfig fresh;
            try
            {
                fresh = ConfigLoader.Load(current.Home, environment);
            }
            catch (Exception ex) when (ex is ConfigException or IOException or UnauthorizedAccessException)
            {
                ConfigReloadLog.Invalid(logger, ConfigLoader.FileName, ex.Message);
                return new ConfigReloadResult([], [], ex.Message);
            }

            var changed = ConfigReloadDiff.ChangedKeys(current, fresh);
            var applied = changed.Where(LiveKeys.ContainsKey).ToList();
            var waiting = changed.Where(k => !LiveKeys.ContainsKey(k)).ToList();
            foreach (var key in applied)
            {
                current = LiveKeys[key](current, fresh);
            }

            _current = current;
            if (applied.Count > 0)
            {
                ConfigReloadLog.Applied(logger, ConfigLoader.FileName, string.Join(", ", applied.Select(k => $"{k}")));
            }

            if (waiting.Count > 0)
            {
                ConfigReloadLog.NeedsRestart(logger, string.Join(", ", waiting), ConfigLoader.FileName);
            }

            if (changed.Count == 0)
            {
                ConfigReloadLog.Unchanged(logger, ConfigLoader.FileName);
            }

            return new ConfigReloadResult(applied, waiting, null);
        }
    }
}
