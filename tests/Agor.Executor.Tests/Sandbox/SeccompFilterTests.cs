using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Agor.Executor.Sandbox;

namespace Agor.Executor.Tests.Sandbox;

/// <summary>The BPF program's shape: the architecture checked first (else kill), x32 refused, every denied call present.</summary>
public sealed class SeccompFilterTests
{
    [Theory]
    [InlineData(Architecture.X64, 0xC000003Eu, 101u, 56u)]
    [InlineData(Architecture.Arm64, 0xC00000B7u, 117u, 220u)]
    public void Filter_ChecksTheArchitectureFirst_AndDeniesPtrace(Architecture architecture, uint auditArch, uint ptrace, uint clone)
    {
        var program = Decode(SeccompFilter.Build(architecture));

        Assert.Equal((0x20, 4u), (program[0].Code, program[0].K));
        Assert.Equal((0x15, auditArch, (byte)1), (program[1].Code, program[1].K, program[1].Jt));
        Assert.Equal((0x06, 0x80000000u), (program[2].Code, program[2].K));
        var ptraceAt = program.FindIndex(i => i.Code == 0x15 && i.K == ptrace);
        Assert.Equal((0x06, 0x00050001u), (program[ptraceAt + 1].Code, program[ptraceAt + 1].K));
        var cloneAt = program.FindIndex(i => i.Code == 0x15 && i.K == clone);
        Assert.Equal((0x45, 0x10000000u), (program[cloneAt + 2].Code, program[cloneAt + 2].K));
        Assert.Equal((0x06, 0x7FFF0000u), (program[^1].Code, program[^1].K));
        Assert.Equal(SeccompFilter.DeniedWithEperm.Count + SeccompFilter.DeniedWithEnosys.Count + 1, program.Count(i => i.Code == 0x15) - 1);
    }

    [Fact]
    public void Filter_OnX8664_RefusesX32Numbers()
    {
        var program = Decode(SeccompFilter.Build(Architecture.X64));

        Assert.Equal((0x35, 0x40000000u), (program[4].Code, program[4].K));
        Assert.Equal((0x06, 0x00050001u), (program[5].Code, program[5].K));
    }

    private static List<(ushort Code, byte Jt, byte Jf, uint K)> Decode(byte[] bytes) =>
        [.. Enumerable.Range(0, bytes.Length / 8).Select(i => (BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(i * 8)), bytes[(i * 8) + 2], bytes[(i * 8) + 3], BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan((i * 8) + 4))))];
}
