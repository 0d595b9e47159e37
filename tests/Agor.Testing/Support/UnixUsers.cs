using System.Diagnostics;

namespace Agor.Testing.Support;

/// <summary>Creates real Unix users for isolation tests (root only). Users are kept between runs; creating is idempotent.</summary>
public static class UnixUsers
{
    private static readonly SemaphoreSlim Gate = new(1, 1);

    /// <summary>Ensures a system user exists, with a home directory; returns its uid.</summary>
    public static async Task<int> EnsureAsync(string name, CancellationToken cancellationToken = default)
    {
        await Gate.WaitAsync(cancellationToken);
        try
        {
            if (await UidAsync(name, cancellationToken) is { } existing)
            {
                return existing;
            }

            await ProcessRunner.RunCheckedAsync("useradd", ["--system", "--create-home", "--shell", "/bin/sh", name], cancellationToken);
            return await UidAsync(name, cancellationToken) ?? throw new InvalidOperationException($"useradd did not create {name}");
        }
        finally
        {
            Gate.Release();
        }
    }

    public static async Task<int?> UidAsync(string name, CancellationToken cancellationToken = default)
    {
        var result = await ProcessRunner.RunAsync("id", ["-u", name], cancellationToken: cancellationToken);
        return result.ExitCode == 0 && int.TryParse(result.Stdout.Trim(), out var uid) ? uid : null;
    }
}
