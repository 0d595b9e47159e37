using System.Globalization;

namespace Agor.Executor.Network;

/// <summary>One <c>--forward PORT=SOCKET</c>: 127.0.0.1:PORT is bridged to the Unix socket SOCKET.</summary>
internal sealed record ForwardOption(int Port, string Socket);

/// <summary>
/// The forwarder's command line: <c>agor-executor --net-forwarder [--max-connections N]
/// [--forward PORT=SOCKET]... -- PROGRAM ARGS...</c>.
/// </summary>
internal sealed record NetForwarderOptions(IReadOnlyList<ForwardOption> Forwards, int MaxConnections, string Program, IReadOnlyList<string> Arguments)
{
    public const string Switch = "--net-forwarder";

    public const string Usage = "usage: agor-executor --net-forwarder [--max-connections N] [--forward PORT=SOCKET]... -- PROGRAM [ARGS...]";

    /// <summary>The arguments (after the executor's own binary) that run <paramref name="program"/> behind <paramref name="network"/>'s forwards.</summary>
    public static IReadOnlyList<string> CommandLine(NetworkLayout network, string program, IEnumerable<string> arguments)
    {
        var line = new List<string> { Switch, "--max-connections", network.MaxConnections.ToString(CultureInfo.InvariantCulture) };
        foreach (var forward in network.Forwards)
        {
            line.Add("--forward");
            line.Add($"{forward.Port.ToString(CultureInfo.InvariantCulture)}={forward.InsideSocket}");
        }

        line.Add("--");
        line.Add(program);
        line.AddRange(arguments);
        return line;
    }

    public static NetForwarderOptions? Parse(IReadOnlyList<string> args)
    {
        var forwards = new List<ForwardOption>();
        var maxConnections = 128;
        for (var i = 1; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "--max-connections" when i + 1 < args.Count && int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var max) && max > 0:
                    maxConnections = max;
                    i++;
                    break;
                case "--forward" when i + 1 < args.Count && ParseForward(args[i + 1]) is { } forward && forwards.All(f => f.Port != forward.Port):
                    forwards.Add(forward);
                    i++;
                    break;
                case "--" when i + 1 < args.Count:
                    return new NetForwarderOptions(forwards, maxConnections, args[i + 1], [.. args.Skip(i + 2)]);
                default:
                    return null;
            }
        }

        return null;
    }

    private static ForwardOption? ParseForward(string value)
    {
        var equals = value.IndexOf('=', StringComparison.Ordinal);
        return equals > 0
            && int.TryParse(value.AsSpan(0, equals), NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is >= 1 and <= 65535
            && value[(equals + 1)..] is { Length: > 1 } socket && socket.StartsWith('/')
            ? new ForwardOption(port, socket)
            : null;
    }
}
