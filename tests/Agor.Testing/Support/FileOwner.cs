using System.Globalization;

namespace Agor.Testing.Support;

/// <summary>Who owns a file, as <c>stat</c> reports it (.NET exposes modes, not owners).</summary>
public static class FileOwner
{
    public static async Task<int> UidAsync(string path)
    {
        var result = await ProcessRunner.RunCheckedAsync("stat", ["-c", "%u", path]);
        return int.Parse(result.Stdout.Trim(), CultureInfo.InvariantCulture);
    }
}
