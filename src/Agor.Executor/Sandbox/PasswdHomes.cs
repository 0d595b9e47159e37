namespace Agor.Executor.Sandbox;

/// <summary>The home directories named in /etc/passwd.</summary>
internal static class PasswdHomes
{
    public static IReadOnlyList<string> Read(string passwd = "/etc/passwd")
    {
        try
        {
            return [.. File.ReadLines(passwd)
                .Select(line => line.Split(':'))
                .Where(fields => fields.Length >= 7 && fields[5].StartsWith('/'))
                .Select(fields => fields[5])
                .Distinct(StringComparer.Ordinal)];
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }
}
