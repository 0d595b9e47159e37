using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Agor.Executor.Sandbox;

/// <summary>
/// The agent's seccomp filter, a classic BPF program of our own (no libseccomp): any architecture
/// but the machine's own is killed (no i386 or x32 detour around the numbers below), and the calls
/// an escape needs fail — ptrace and the other ways into another process, the kernel's keyring, BPF,
/// perf, every mount call, modules and kexec, userfaultfd, joining or creating namespaces (clone
/// with <c>CLONE_NEWUSER</c>) with EPERM; io_uring (which bypasses the filter) and clone3 (whose
/// flags it cannot read) with ENOSYS, so that libc falls back to clone.
/// </summary>
internal static class SeccompFilter
{
    private const uint AuditArchX8664 = 0xC000003E;
    private const uint AuditArchAarch64 = 0xC00000B7;
    private const uint X32SyscallBit = 0x40000000;
    private const uint CloneNewUser = 0x10000000;
    private const uint Eperm = 1;
    private const uint Enosys = 38;

    private const ushort LdAbsW = 0x20;
    private const ushort JeqK = 0x15;
    private const ushort JgeK = 0x35;
    private const ushort JsetK = 0x45;
    private const ushort RetK = 0x06;

    private const uint RetKillProcess = 0x80000000;
    private const uint RetErrno = 0x00050000;
    private const uint RetAllow = 0x7FFF0000;

    private const uint OffsetNr = 0;
    private const uint OffsetArch = 4;
    private const uint OffsetArg0Low = 16;

    /// <summary>The syscalls denied, by name (the test of the filter names them too).</summary>
    public static readonly IReadOnlyList<string> DeniedWithEperm =
    [
        "ptrace", "process_vm_readv", "process_vm_writev", "bpf", "perf_event_open", "keyctl", "add_key", "request_key",
        "mount", "umount2", "pivot_root", "move_mount", "open_tree", "fsopen", "fsconfig", "fsmount", "fspick", "mount_setattr",
        "kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module", "userfaultfd", "setns", "unshare",
        "open_by_handle_at", "name_to_handle_at",
    ];

    public static readonly IReadOnlyList<string> DeniedWithEnosys = ["io_uring_setup", "io_uring_enter", "io_uring_register", "clone3"];

    /// <summary>True when there is a filter for this machine's architecture.</summary>
    public static bool Supported => Table.For(RuntimeInformation.ProcessArchitecture) is not null;

    /// <summary>The filter for <paramref name="architecture"/> as the raw <c>struct sock_filter</c> array bwrap's <c>--seccomp</c> reads.</summary>
    public static byte[] Build(Architecture architecture)
    {
        var table = Table.For(architecture) ?? throw new PlatformNotSupportedException($"no seccomp filter for {architecture}");
        var program = new List<(ushort Code, byte Jt, byte Jf, uint K)>
        {
            (LdAbsW, 0, 0, OffsetArch),
            (JeqK, 1, 0, table.AuditArch),
            (RetK, 0, 0, RetKillProcess),
            (LdAbsW, 0, 0, OffsetNr),
        };
        if (table.AuditArch == AuditArchX8664)
        {
            program.Add((JgeK, 0, 1, X32SyscallBit));
            program.Add((RetK, 0, 0, RetErrno | Eperm));
        }

        foreach (var name in DeniedWithEperm)
        {
            program.Add((JeqK, 0, 1, table.Numbers[name]));
            program.Add((RetK, 0, 0, RetErrno | Eperm));
        }

        foreach (var name in DeniedWithEnosys)
        {
            program.Add((JeqK, 0, 1, table.Numbers[name]));
            program.Add((RetK, 0, 0, RetErrno | Enosys));
        }

        // clone: allowed unless its flags (the first argument on both architectures) ask for a user namespace.
        program.Add((JeqK, 0, 3, table.Numbers["clone"]));
        program.Add((LdAbsW, 0, 0, OffsetArg0Low));
        program.Add((JsetK, 0, 1, CloneNewUser));
        program.Add((RetK, 0, 0, RetErrno | Eperm));
        program.Add((RetK, 0, 0, RetAllow));

        var bytes = new byte[program.Count * 8];
        for (var i = 0; i < program.Count; i++)
        {
            var (code, jt, jf, k) = program[i];
            var slot = bytes.AsSpan(i * 8, 8);
            BinaryPrimitives.WriteUInt16LittleEndian(slot, code);
            slot[2] = jt;
            slot[3] = jf;
            BinaryPrimitives.WriteUInt32LittleEndian(slot[4..], k);
        }

        return bytes;
    }

    private sealed record Table(uint AuditArch, IReadOnlyDictionary<string, uint> Numbers)
    {
        private static readonly Table X8664 = new(AuditArchX8664, new Dictionary<string, uint>(StringComparer.Ordinal)
        {
            ["ptrace"] = 101, ["process_vm_readv"] = 310, ["process_vm_writev"] = 311, ["bpf"] = 321, ["perf_event_open"] = 298,
            ["keyctl"] = 250, ["add_key"] = 248, ["request_key"] = 249, ["mount"] = 165, ["umount2"] = 166, ["pivot_root"] = 155,
            ["move_mount"] = 429, ["open_tree"] = 428, ["fsopen"] = 430, ["fsconfig"] = 431, ["fsmount"] = 432, ["fspick"] = 433,
            ["mount_setattr"] = 442, ["kexec_load"] = 246, ["kexec_file_load"] = 320, ["init_module"] = 175, ["finit_module"] = 313,
            ["delete_module"] = 176, ["userfaultfd"] = 323, ["setns"] = 308, ["unshare"] = 272, ["open_by_handle_at"] = 304,
            ["name_to_handle_at"] = 303, ["io_uring_setup"] = 425, ["io_uring_enter"] = 426, ["io_uring_register"] = 427,
            ["clone3"] = 435, ["clone"] = 56,
        });

        // The generic table (asm-generic/unistd.h).
        private static readonly Table Aarch64 = new(AuditArchAarch64, new Dictionary<string, uint>(StringComparer.Ordinal)
        {
            ["ptrace"] = 117, ["process_vm_readv"] = 270, ["process_vm_writev"] = 271, ["bpf"] = 280, ["perf_event_open"] = 241,
            ["keyctl"] = 219, ["add_key"] = 217, ["request_key"] = 218, ["mount"] = 40, ["umount2"] = 39, ["pivot_root"] = 41,
            ["move_mount"] = 429, ["open_tree"] = 428, ["fsopen"] = 430, ["fsconfig"] = 431, ["fsmount"] = 432, ["fspick"] = 433,
            ["mount_setattr"] = 442, ["kexec_load"] = 104, ["kexec_file_load"] = 294, ["init_module"] = 105, ["finit_module"] = 273,
            ["delete_module"] = 106, ["userfaultfd"] = 282, ["setns"] = 268, ["unshare"] = 97, ["open_by_handle_at"] = 265,
            ["name_to_handle_at"] = 264, ["io_uring_setup"] = 425, ["io_uring_enter"] = 426, ["io_uring_register"] = 427,
            ["clone3"] = 435, ["clone"] = 220,
        });

        public static Table? For(Architecture architecture) => architecture switch
        {
            Architecture.X64 => X8664,
            Architecture.Arm64 => Aarch64,
            _ => null,
        };
    }
}
