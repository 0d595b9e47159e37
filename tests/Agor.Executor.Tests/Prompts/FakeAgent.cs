namespace Agor.Executor.Tests.Prompts;

/// <summary>A shell script standing in for the agent, for failures the real CLI cannot be made to show; removed on dispose.</summary>
internal sealed class FakeAgent : IDisposable
{
    private FakeAgent(string path) => Path = path;

    public string Path { get; }

    public static async Task<FakeAgent> WriteAsync(string body)
    {
        var path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"agor-fake-agent-{Guid.NewGuid():N}.sh");
        await File.WriteAllTextAsync(path, "#!/bin/sh\n" + body);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return new FakeAgent(path);
    }

    public void Dispose() => File.Delete(Path);
}
