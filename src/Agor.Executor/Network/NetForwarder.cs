using System.ComponentModel;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Agor.Executor.Interop;

namespace Agor.Executor.Network;

/// <summary>
/// The sandbox's first process when its network is isolated: listens on <c>127.0.0.1:PORT</c> for
/// each forward (before anything else starts, so the agent never finds a port not yet open), then
/// starts the agent with its own stdio and environment, passes SIGTERM, SIGINT, SIGHUP and SIGQUIT
/// on to it, and exits with its exit code. When it exits, bwrap's init ends the sandbox's whole tree.
/// </summary>
internal static class NetForwarder
{
    private const int Backlog = 128;

    private static readonly (PosixSignal Signal, int Number)[] Forwarded =
        [(PosixSignal.SIGTERM, 15), (PosixSignal.SIGINT, 2), (PosixSignal.SIGHUP, 1), (PosixSignal.SIGQUIT, 3)];

    public static async Task<int> RunAsync(NetForwarderOptions options)
    {
        // The agent runs as our user: it must not read our memory through /proc.
        _ = Libc.SetNotDumpable();
        var listeners = new List<Socket>();
        try
        {
            foreach (var forward in options.Forwards)
            {
                var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                listeners.Add(listener);
                listener.Bind(new IPEndPoint(IPAddress.Loopback, forward.Port));
                listener.Listen(Backlog);
            }
        }
        catch (SocketException ex)
        {
            await Console.Error.WriteLineAsync($"agor-executor --net-forwarder: cannot listen on 127.0.0.1: {ex.Message}; the agent was not started");
            listeners.ForEach(l => l.Dispose());
            return 70;
        }

        using var stop = new CancellationTokenSource();
        using var gate = new SemaphoreSlim(options.MaxConnections, options.MaxConnections);
        var accepting = options.Forwards.Select((f, i) => new ForwardRelay(listeners[i], f.Socket, gate).AcceptAsync(stop.Token)).ToList();

        // Registered before the agent starts: a signal that comes first is held and passed on once it runs.
        var relay = new SignalRelay();
        var registrations = Forwarded.Select(s => PosixSignalRegistration.Create(s.Signal, context =>
        {
            context.Cancel = true;
            relay.Send(s.Number);
        })).ToList();

        Process agent;
        try
        {
            var start = new ProcessStartInfo(options.Program) { UseShellExecute = false };
            foreach (var argument in options.Arguments)
            {
                start.ArgumentList.Add(argument);
            }

            agent = Process.Start(start) ?? throw new Win32Exception($"could not start {options.Program}");
        }
        catch (Win32Exception ex)
        {
            await Console.Error.WriteLineAsync($"agor-executor --net-forwarder: cannot run {options.Program}: {ex.Message}");
            registrations.ForEach(r => r.Dispose());
            await stop.CancelAsync();
            listeners.ForEach(l => l.Dispose());
            return 127;
        }

        using (agent)
        {
            relay.Started(agent.Id);
            try
            {
                await agent.WaitForExitAsync(CancellationToken.None);
            }
            finally
            {
                registrations.ForEach(r => r.Dispose());
                await stop.CancelAsync();
                listeners.ForEach(l => l.Dispose());
            }

            await Task.WhenAll(accepting);
            return agent.ExitCode;
        }
    }

    /// <summary>Passes signals to the agent; one that comes before the agent runs is held until it does.</summary>
    private sealed class SignalRelay
    {
        private readonly object _gate = new();
        private int _pid;
        private int _held;

        public void Send(int signal)
        {
            lock (_gate)
            {
                if (_pid == 0)
                {
                    _held = signal;
                    return;
                }
            }

            _ = Libc.kill(_pid, signal);
        }

        public void Started(int pid)
        {
            int held;
            lock (_gate)
            {
                _pid = pid;
                held = _held;
            }

            if (held != 0)
            {
                _ = Libc.kill(pid, held);
            }
        }
    }
}
