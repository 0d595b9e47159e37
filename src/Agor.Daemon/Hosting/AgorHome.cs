using System.Security.Cryptography;
using Agor.Daemon.Configuration;

namespace Agor.Daemon.Hosting;

/// <summary>
/// <c>AGOR_HOME</c>: created on first use with mode 0700, holding a commented <c>config.yaml</c>
/// (never overwritten) and <c>api-token</c> (0600, 256 random bits), the HTTP API's bearer token.
/// </summary>
internal sealed class AgorHome(string path)
{
    public const string TokenFileName = "api-token";

    private const UnixFileMode OwnerOnlyDirectory = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode OwnerOnlyFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    public string Path { get; } = path;

    public string ConfigPath => System.IO.Path.Combine(Path, ConfigLoader.FileName);

    public string TokenPath => System.IO.Path.Combine(Path, TokenFileName);

    /// <summary>
    /// A short name for the daemon of <paramref name="home"/> (8 hex digits of SHA-256 of its full
    /// path): it keeps two daemons' machine-wide state apart, such as their task cgroups.
    /// </summary>
    public static string InstanceName(string home) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(System.IO.Path.GetFullPath(home))))[..8];

    /// <summary>Creates what is missing; returns what it created, for the user to read.</summary>
    public IReadOnlyList<string> EnsureInitialized()
    {
        var created = new List<string>();
        if (!Directory.Exists(Path))
        {
            Directory.CreateDirectory(Path, OwnerOnlyDirectory);
            created.Add(Path);
        }

        if (!File.Exists(ConfigPath))
        {
            WritePrivate(ConfigPath, ConfigTemplate.Text);
            created.Add(ConfigPath);
        }

        if (!File.Exists(TokenPath))
        {
            WritePrivate(TokenPath, Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)) + "\n");
            created.Add(TokenPath);
        }

        return created;
    }

    /// <summary>The API token; throws when the file is missing.</summary>
    public string ReadToken() => File.ReadAllText(TokenPath).Trim();

    private static void WritePrivate(string file, string content)
    {
        using var stream = new FileStream(file, new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            UnixCreateMode = OwnerOnlyFile,
        });
        using var writer = new StreamWriter(stream);
        writer.Write(content);
    }
}
