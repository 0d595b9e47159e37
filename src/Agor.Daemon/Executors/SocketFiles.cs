namespace Agor.Daemon.Executors;

internal static class SocketFiles
{
    /// <summary>Removes an executor's socket file if it is still there and ours to remove.</summary>
    public static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Owned by another user in a sticky directory: only that user or root may remove it.
        }
    }
}
