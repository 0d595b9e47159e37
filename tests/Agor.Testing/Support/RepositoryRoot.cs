namespace Agor.Testing.Support;

/// <summary>The checkout the tests were built from: the directory holding Agor.slnx above the test binaries.</summary>
public static class RepositoryRoot
{
    /// <summary>The directory, or null when the binaries are not inside a checkout.</summary>
    public static string? Find()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Agor.slnx")))
            {
                return directory.FullName;
            }
        }

        return null;
    }
}
