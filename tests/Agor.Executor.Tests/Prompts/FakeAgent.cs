namespace Agor.Executor.Tests.Prompts;

/// <summary>A shell script standing in for the agent, for failures the real CLI cannot be made to show.</summary>
internal static class FakeAgent
{
    public static async Task<string> WriteAsync(string body)
    {
        var path = Path.Combine(Path.GetTempPath(), $"agor-fake-agent-{Guid.NewGuid():N}.sh");
        await File.WriteAllTextAsync(path, "#!/bin/sh\n" + body);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }
}
