using System.Diagnostics;

namespace Agor.Testing.Support;

/// <summary>
/// Creates real Unix users for isolation tests (root only); creating is idempotent. Users this
/// process created are removed again by <see cref="RemoveCreatedAsync"/>, which the isolation
/// collection's fixture calls when its last test has run; users that existed before are left alone.
/// </summary>
public static class UnixUsers
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static readonly List<string> Created = [];

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
            Created.Add(name);
            return await UidAsync(name, cancellationToken) ?? throw new InvalidOperationException($"useradd did not create {name}");
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>Removes, with their homes, the users this process created (also those a failed test left).</summary>
    public static async Task RemoveCreatedAsync(CancellationToken cancellationToken = default)
    {
        await Gate.WaitAsync(cancellationToken);
        try
        {
            foreach (var name in Created)
            {
                await RemoveAsync(name, cancellationToken);
            }

            Created.Clear();
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>Removes a user and its home; --force, because a killed test may leave one of its processes behind.</summary>
    public static async Task RemoveAsync(string name, CancellationToken cancellationToken = default)
    {
        if (await UidAsync(name, cancellationToken) is not null)
        {
            await ProcessRunner.RunCheckedAsync("userdel", ["--force", "--remove", name], cancellationToken);
        }
    }

    public static async Task<int?> UidAsync(string name, CancellationToken cancellationToken = default)
    {
        var result = await ProcessRunner.RunAsync("id", ["-u", name], cancellationToken: cancellationToken);
        return result.ExitCode == 0 && int.TryParse(result.Stdout.Trim(), out var uid) ? uid : null;
    }
}
