namespace Agor.Bench.Setup;

/// <summary>Where the repository is: the directory holding Agor.slnx, above the bench's binaries or the current directory.</summary>
internal sealed record RepoLayout(string Root)
{
    public string ExecutorProject => Path.Combine(Root, "src", "Agor.Executor");

    public string ExecutorDirectory => Path.Combine(Root, "artifacts", "executor");

    public string ExecutorPath => Path.Combine(ExecutorDirectory, "agor-executor");

    public string RawSockSource => Path.Combine(Root, "bench", "native", "rawsock.c");

    public string RawSockPath => Path.Combine(Root, "bench", "native", "out", "rawsock");

    public static RepoLayout Find()
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
        {
            for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
            {
                if (File.Exists(Path.Combine(directory.FullName, "Agor.slnx")))
                {
                    return new RepoLayout(directory.FullName);
                }
            }
        }

        throw new InvalidOperationException("Cannot find the repository (a directory with Agor.slnx) above the bench or the current directory.");
    }
}
