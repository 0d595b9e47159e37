namespace Agor.PoolProbe.Hostile;

/// <summary>
/// The hostile executor's command line: the real executor's (<c>--socket PATH</c> and whatever else
/// the daemon passes, ignored) plus <c>--script NAME</c>, <c>--count N</c>, <c>--bytes N</c> and
/// <c>--record PATH</c> (default: <c>hostile-record.log</c> beside the socket).
/// </summary>
internal sealed record HostileOptions(string SocketPath, string Script, long Count, int Bytes, string RecordPath)
{
    public static HostileOptions Parse(string[] args)
    {
        string? Value(string name) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;
        var socket = Value("--socket") ?? throw new ArgumentException("--socket PATH is required");
        return new HostileOptions(
            socket,
            Value("--script") ?? "silent",
            long.Parse(Value("--count") ?? "1000", System.Globalization.CultureInfo.InvariantCulture),
            int.Parse(Value("--bytes") ?? "1024", System.Globalization.CultureInfo.InvariantCulture),
            Value("--record") ?? Path.Combine(Path.GetDirectoryName(socket)!, "hostile-record.log"));
    }
}
