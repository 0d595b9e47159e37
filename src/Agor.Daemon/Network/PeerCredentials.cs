using System.Net.Sockets;

namespace Agor.Daemon.Network;

/// <summary>
/// Who is at the other end of a connected Unix socket, as the kernel recorded it at connect time
/// (<c>SO_PEERCRED</c>): not something the peer can claim. Read with
/// <see cref="Socket.GetRawSocketOption"/>, so no native call of our own is needed.
/// </summary>
internal static class PeerCredentials
{
    // <asm-generic/socket.h>, which x86_64 and aarch64 (the sandbox's two architectures) both use.
    private const int SolSocket = 1;
    private const int SoPeerCred = 17;

    /// <summary>The peer's pid and uid (in the daemon's user namespace), or null when the kernel gave none.</summary>
    public static (int Pid, uint Uid)? Of(Socket socket)
    {
        // struct ucred { pid_t pid; uid_t uid; gid_t gid; }
        Span<byte> ucred = stackalloc byte[12];
        try
        {
            if (socket.GetRawSocketOption(SolSocket, SoPeerCred, ucred) != ucred.Length)
            {
                return null;
            }
        }
        catch (SocketException)
        {
            return null;
        }

        return (BitConverter.ToInt32(ucred[..4]), BitConverter.ToUInt32(ucred[4..8]));
    }
}
