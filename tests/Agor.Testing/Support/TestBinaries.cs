namespace Agor.Testing.Support;

/// <summary>Where the programs under test are.</summary>
public static class TestBinaries
{
    /// <summary>
    /// The <c>agor-executor</c> to test: AGOR_EXECUTOR_PATH, else the one built beside the test
    /// assembly (test projects reference the executor project, which copies it there).
    /// </summary>
    public static string ExecutorPath
    {
        get
        {
            if (Environment.GetEnvironmentVariable("AGOR_EXECUTOR_PATH") is { Length: > 0 } configured)
            {
                return configured;
            }

            var beside = Path.Combine(AppContext.BaseDirectory, "agor-executor");
            return File.Exists(beside)
                ? beside
                : throw new FileNotFoundException("agor-executor was not built beside the tests; reference src/Agor.Executor from the test project or set AGOR_EXECUTOR_PATH.", beside);
        }
    }

    /// <summary>The probe program (tests/Agor.PoolProbe) built beside the test assembly, run with dotnet.</summary>
    public static string PoolProbeDll => Path.Combine(AppContext.BaseDirectory, "Agor.PoolProbe.dll");
}
