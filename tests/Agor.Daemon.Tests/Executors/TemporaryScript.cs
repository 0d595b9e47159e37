namespace Agor.Daemon.Tests.Executors;

/// <summary>An executable script in a directory of its own that every user may enter (sudo's target user runs it); removed on dispose.</summary>
internal sealed class TemporaryScript : IDisposable
{
    private readonly string _directory;

    private TemporaryScript(string directory, string path)
    {
        _directory = directory;
        Path = path;
    }

    public string Path { get; }

    public static async Task<TemporaryScript> CreateAsync(string name, string text)
    {
        var directory = Directory.CreateTempSubdirectory("agor-script-").FullName;
        File.SetUnixFileMode(directory, (UnixFileMode)Convert.ToInt32("755", 8));
        var path = System.IO.Path.Combine(directory, name);
        await File.WriteAllTextAsync(path, text);
        File.SetUnixFileMode(path, (UnixFileMode)Convert.ToInt32("755", 8));
        return new TemporaryScript(directory, path);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
