using System.Globalization;
using Agor.Fuzz;

// agor-fuzz executor|daemon|both [--lines N] [--seed S] [--probe-every N]; see README.md.
// The hidden mode fuzz-executor is how a daemon started by the `daemon` target runs this tool.
if (args.Length == 0)
{
    await Console.Error.WriteLineAsync("usage: Agor.Fuzz executor|daemon|both [--lines N] [--seed S] [--probe-every N]");
    return 64;
}

var lines = 20_000L;
var seed = 1;
var probeEvery = 64;
string? socket = null;
string? stats = null;
for (var i = 1; i + 1 < args.Length; i += 2)
{
    switch (args[i])
    {
        case "--lines": lines = long.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
        case "--seed": seed = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
        case "--probe-every": probeEvery = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
        case "--socket": socket = args[i + 1]; break;
        case "--stats": stats = args[i + 1]; break;
        default: i--; i++; break;
    }
}

var settings = new FuzzSettings(lines, seed, probeEvery);
if (args[0] == FuzzExecutor.Mode)
{
    // The daemon appends its executor arguments (--socket PATH ...) after the script's own.
    return await FuzzExecutor.RunAsync(socket!, settings, stats!);
}

var reports = new List<FuzzReport>();
if (args[0] is "executor" or "both")
{
    reports.Add(await ExecutorTarget.RunAsync(settings, Console.Out, CancellationToken.None));
    Console.WriteLine(reports[^1]);
}

if (args[0] is "daemon" or "both")
{
    reports.Add(await DaemonTarget.RunAsync(settings, Console.Out, CancellationToken.None));
    Console.WriteLine(reports[^1]);
}

return reports.Count > 0 && reports.TrueForAll(r => r.Passed) ? 0 : 1;
