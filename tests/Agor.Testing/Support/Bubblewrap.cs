using Xunit;

namespace Agor.Testing.Support;

/// <summary>
/// Gate for sandbox tests that need bubblewrap. Without it the test is skipped with the reason;
/// where AGOR_REQUIRE_ISOLATION_TESTS=1 (as in CI) the same condition fails the test.
/// </summary>
public static class Bubblewrap
{
    public static string? Path => new[] { "/usr/bin/bwrap", "/usr/local/bin/bwrap", "/bin/bwrap" }.FirstOrDefault(File.Exists);

    /// <summary>The bwrap path; skips the test where it is missing (fails it under AGOR_REQUIRE_ISOLATION_TESTS=1).</summary>
    public static string Require()
    {
        if (Path is { } path)
        {
            return path;
        }

        const string missing = "this test needs bubblewrap (apt-get install bubblewrap)";
        if (Isolation.Required)
        {
            throw new InvalidOperationException($"AGOR_REQUIRE_ISOLATION_TESTS=1 but {missing}");
        }

        Skip.If(true, missing);
        return string.Empty;
    }
}
