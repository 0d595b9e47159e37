using Microsoft.Win32.SafeHandles;

namespace Agor.Executor.Interop;

/// <summary>A process file descriptor: readable (poll) once that process has exited.</summary>
internal sealed class PidFdHandle : SafeHandleZeroOrMinusOneIsInvalid
{
    public PidFdHandle()
        : base(ownsHandle: true)
    {
    }

    internal PidFdHandle(nint fd)
        : base(ownsHandle: true) => SetHandle(fd);

    protected override bool ReleaseHandle() => Libc.close((int)handle) == 0;
}
