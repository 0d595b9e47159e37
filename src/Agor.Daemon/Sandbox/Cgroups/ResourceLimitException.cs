namespace Agor.Daemon.Sandbox.Cgroups;

/// <summary>A task's cgroup could not be set up; the message names the file and what the kernel said.</summary>
internal sealed class ResourceLimitException : Exception
{
    public ResourceLimitException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }

    public ResourceLimitException()
    {
    }

    public ResourceLimitException(string message)
        : base(message)
    {
    }
}
