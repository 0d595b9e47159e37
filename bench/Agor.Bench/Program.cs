using System.Globalization;
using Agor.Bench.Suites;
using Agor.Bench.Suites.Ipc;

// Usage:
//   ipc                                    the IPC suite: spawn, ping, throughput, notifications, memory
//   notify-child --socket PATH --count N   (internal) the executor side of the notification figure
using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};

return args switch
{
    ["ipc"] => await IpcSuite.RunAsync(Console.Out, cancel.Token),
    [NotifyChild.Mode, "--socket", var socket, "--count", var count] when long.TryParse(count, NumberStyles.None, CultureInfo.InvariantCulture, out var n)
        => await NotifyChild.RunAsync(socket, n),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: Agor.Bench ipc");
    return 64;
}
