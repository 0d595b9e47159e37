using System.Runtime.InteropServices;

namespace Agor.Daemon.Hosting;

/// <summary>
/// SIGHUP re-reads config.yaml, as daemons do (<c>systemctl reload</c> sends it). Holding the
/// registration also keeps SIGHUP from ending the process, its default.
/// </summary>
internal sealed class ConfigReloadSignal : IDisposable
{
    private readonly PosixSignalRegistration _registration;

    private ConfigReloadSignal(ConfigReloader reloader, IReadOnlyDictionary<string, string?> environment) =>
        _registration = PosixSignalRegistration.Create(PosixSignal.SIGHUP, context =>
        {
            context.Cancel = true;
            reloader.Reload(environment);
        });

    /// <summary>Starts answering SIGHUP until disposed; <paramref name="environment"/> supplies the overrides the daemon started with.</summary>
    public static ConfigReloadSignal Register(ConfigReloader reloader, IReadOnlyDictionary<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(reloader);
        ArgumentNullException.ThrowIfNull(environment);
        return new ConfigReloadSignal(reloader, environment);
    }

    public void Dispose() => _registration.Dispose();
}
