namespace Agor.Executor.Hosting;

/// <summary>The socket's name in the file system, removed once, whichever way the executor leaves.</summary>
internal sealed class SocketFile(string path)
{
    private int _removed;

    public void Remove()
    {
        if (Interlocked.Exchange(ref _removed, 1) != 0)
        {
            return;
        }

        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Already gone.
        }
    }
}
