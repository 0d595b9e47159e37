using System.Runtime.InteropServices;
using Xunit;

namespace Agor.Testing.Support;

/// <summary>
/// Gate for tests that need root and sudo. On a machine without them the test is skipped with the
/// reason; where AGOR_REQUIRE_ISOLATION_TESTS=1 (as in CI) the same condition fails the test.
/// </summary>
public static partial class Isolation
{
    public static bool Required => Environment.GetEnvironmentVariable("AGOR_REQUIRE_ISOLATION_TESTS") == "1";

    public static bool IsRoot => geteuid() == 0;

    public static string? SudoPath => new[] { "/usr/bin/sudo", "/bin/sudo", "/usr/local/bin/sudo" }.FirstOrDefault(File.Exists);

    /// <summary>Returns why isolation tests cannot run here, or null when they can.</summary>
    public static string? MissingPrerequisite()
    {
        if (!IsRoot)
        {
            return "this test needs root (to create Unix users)";
        }

        return SudoPath is null ? "this test needs sudo (apt-get install sudo)" : null;
    }

    /// <summary>Skips the test where root or sudo is missing; fails it instead under AGOR_REQUIRE_ISOLATION_TESTS=1.</summary>
    public static void Require()
    {
        var missing = MissingPrerequisite();
        if (missing is not null && Required)
        {
            throw new InvalidOperationException($"AGOR_REQUIRE_ISOLATION_TESTS=1 but {missing}");
        }

        Skip.If(missing is not null, missing);
    }

    [LibraryImport("libc")]
    private static partial uint geteuid();
}
