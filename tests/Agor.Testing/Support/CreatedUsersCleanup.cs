using Xunit;

namespace Agor.Testing.Support;

/// <summary>A collection fixture: when a collection's last test has run, the Unix users its tests created are removed.</summary>
public sealed class CreatedUsersCleanup : IAsyncLifetime
{
    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => UnixUsers.RemoveCreatedAsync();
}
