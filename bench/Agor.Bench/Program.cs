using System.Globalization;
using Agor.Bench.Suites;
using Agor.Bench.Suites.Daemon;
using Agor.Bench.Suites.Ipc;

// Usage:
//   ipc                                    the IPC suite: spawn, ping, throughput, notifications, memory
//   prompt [--agents claude,codex,gemini] [--iterations N]
//                                          the prompt suite: executor latency to first delta and completion vs the CLI run directly,
//                                          for each agent named (default: all three; --iterations applies to each)
//   daemon [--iterations N]                the daemon suite: report_message → SSE latency, prompt through the daemon vs the CLI, API under 50 streaming sessions,
//                                          model gateway latency, CONNECT tunnel throughput
//   daemon --network                       the daemon suite's gateway and egress proxy figures alone
//   sandbox [--samples N]                  the sandbox suite: bwrap's own cost on a bare true (also printed by prompt and daemon)
//   notify-child --socket PATH --count N   (internal) the executor side of the notification figure
//   daemon-executor ... --socket PATH ...  (internal) the fake executor the daemon suite points the daemon at
using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};

return args switch
{
    ["ipc"] => await IpcSuite.RunAsync(Console.Out, cancel.Token),
    ["prompt", .. var rest] when PromptOptions.TryParse(rest, out var options) => await PromptOptions.RunAsync(options, Console.Out, cancel.Token),
    ["daemon"] => await DaemonSuite.RunAsync(Console.Out, DaemonSuite.DefaultIterations, cancellationToken: cancel.Token),
    ["daemon", "--iterations", var iterations] when int.TryParse(iterations, NumberStyles.None, CultureInfo.InvariantCulture, out var iterationCount) && iterationCount > 0
        => await DaemonSuite.RunAsync(Console.Out, iterationCount, cancellationToken: cancel.Token),
    ["daemon", "--network"] => await DaemonSuite.RunAsync(Console.Out, DaemonSuite.DefaultIterations, networkOnly: true, cancel.Token),
    ["sandbox"] => await SandboxSuite.RunAsync(Console.Out, SandboxSuite.DefaultSamples, cancel.Token),
    ["sandbox", "--samples", var samples] when int.TryParse(samples, NumberStyles.None, CultureInfo.InvariantCulture, out var sampleCount) && sampleCount > 0
        => await SandboxSuite.RunAsync(Console.Out, sampleCount, cancel.Token),
    [FakeExecutor.Mode, .. var rest] => await FakeExecutor.RunAsync(rest),
    [NotifyChild.Mode, "--socket", var socket, "--count", var count] when long.TryParse(count, NumberStyles.None, CultureInfo.InvariantCulture, out var n)
        => await NotifyChild.RunAsync(socket, n),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: Agor.Bench ipc | prompt [--agents claude,codex,gemini] [--iterations N] | daemon [--iterations N | --network] | sandbox [--samples N]");
    return 64;
}
