using System.Security.Cryptography;

namespace Agor.Testing.ScriptedModel;

/// <summary>Fresh identifiers shaped like the real API's (<c>msg_01…</c>, <c>toolu_01…</c>, <c>req_01…</c>).</summary>
internal static class Ids
{
    private const string Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    public static string NewMessageId() => "msg_01" + RandomSuffix();

    public static string NewToolUseId() => "toolu_01" + RandomSuffix();

    public static string NewRequestId() => "req_01" + RandomSuffix();

    private static string RandomSuffix() => RandomNumberGenerator.GetString(Alphabet, 22);
}
