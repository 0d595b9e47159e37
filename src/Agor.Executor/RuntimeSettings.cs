namespace Agor.Executor;

/// <summary>Switches of the .NET runtime the executor sets for itself.</summary>
internal static class RuntimeSettings
{
    /// <summary>Runs socket completions on the polling thread instead of the thread pool.</summary>
    public const string InlineSocketCompletions = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";
}
