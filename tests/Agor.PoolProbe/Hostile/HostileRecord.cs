namespace Agor.PoolProbe.Hostile;

/// <summary>
/// What the hostile executor saw and got, one <c>key=value</c> line each, appended to a file the
/// test reads afterwards (several executors of one daemon may share it: each line carries the task).
/// </summary>
internal sealed class HostileRecord(string path)
{
    private static readonly Lock Gate = new();

    public void Write(string key, string value)
    {
        lock (Gate)
        {
            File.AppendAllText(path, $"{key}={value}\n");
        }
    }
}
