namespace Agor.Executor.Sandbox;

/// <summary>Everything the bwrap command line of one task is built from (host paths, all absolute).</summary>
internal sealed record BwrapLayout
{
    /// <summary>The agent's home inside the sandbox.</summary>
    public const string InsideHome = "/home/agent";

    public required string WorkingDirectory { get; init; }

    /// <summary>The session's agent home on the host, bound at <see cref="InsideHome"/>.</summary>
    public required string AgentHome { get; init; }

    /// <summary>Directories holding the agent's own program (and node), shown read-only.</summary>
    public IReadOnlyList<string> ProgramPaths { get; init; } = [];

    public IReadOnlyList<string> ReadOnly { get; init; } = [];

    public IReadOnlyList<string> ReadWrite { get; init; } = [];

    public IReadOnlyList<string> Deny { get; init; } = [];

    /// <summary>The home directories of /etc/passwd; those that are not system directories are masked.</summary>
    public IReadOnlyList<string> PasswdHomes { get; init; } = [];

    /// <summary>The agent's own network namespace and its forwards; null: the host's network.</summary>
    public Network.NetworkLayout? Network { get; init; }

    /// <summary>Unprivileged bwrap needs a user namespace; as root it does not.</summary>
    public bool UnshareUser { get; init; }

    /// <summary>The namespaces the agent gets with this layout, as reported.</summary>
    public IReadOnlyList<string> Namespaces => NamespacesFor(UnshareUser, Network is not null);

    /// <summary>The namespaces reported for a layout that unshares the user and the network namespaces or not.</summary>
    public static IReadOnlyList<string> NamespacesFor(bool unshareUser, bool unshareNet) =>
        [.. BaseNamespaces, .. unshareNet ? new[] { "net" } : [], .. unshareUser ? new[] { "user" } : []];

    public static IReadOnlyList<string> BaseNamespaces { get; } = ["mount", "pid", "ipc", "uts", "cgroup"];
}
