using System.Security.Cryptography;

namespace Agor.Daemon.Domain;

/// <summary>Identifiers: a readable prefix and 96 random bits (unguessable, as ids appear in URLs).</summary>
internal static class Ids
{
    public static string New(string prefix) => $"{prefix}_{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12))}";
}
