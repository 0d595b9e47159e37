using Agor.Bench.Measurement;
using Agor.Bench.Native;

namespace Agor.Bench.Suites.Ipc;

/// <summary>Resident memory (VmRSS) of an idle executor after connect and one ping, beside the idle C helper's.</summary>
internal sealed class MemoryFigures(IpcContext context)
{
    private const long TargetKilobytes = 20 * 1024;

    public async Task MeasureAsync(ResultTable table, CancellationToken cancellationToken = default)
    {
        context.Log.WriteLine("resident memory: idle after connect + ping ...");
        long rawKilobytes;
        await using (var server = await RawSockServer.StartAsync(context.RawSockPath, ["serve"], cancellationToken: cancellationToken))
        {
            using var socket = await server.ConnectAsync(cancellationToken);
            await RawSockServer.PingAsync(socket, cancellationToken);
            rawKilobytes = ProcStatus.ResidentKilobytes(server.Pid) ?? throw new InvalidOperationException("rawsock vanished before its memory was read.");
        }

        long executorKilobytes;
        await using (var pool = await context.CreatePoolAsync(sudoUser: null, cancellationToken))
        {
            await using var lease = await pool.AcquireAsync(cancellationToken: cancellationToken);
            await lease.Client.PingAsync(cancellationToken);
            executorKilobytes = ProcStatus.ResidentKilobytes(lease.Pid) ?? throw new InvalidOperationException("The executor vanished before its memory was read.");
        }

        table.Add(new Figure(
            "idle executor VmRSS",
            Units.Megabytes(executorKilobytes),
            Units.Megabytes(rawKilobytes),
            $"≤ {TargetKilobytes / 1024} MB",
            executorKilobytes <= TargetKilobytes));
    }
}
