namespace Agor.Daemon.Hosting;

/// <summary>The daemon's port is taken; the message is the one line a person acts on.</summary>
internal sealed class PortInUseException(PortListener listener)
    : IOException($"port {listener.Port} is in use by {listener.Describe()}; set daemon.port or AGOR_PORT")
{
    public PortListener Listener { get; } = listener;
}
