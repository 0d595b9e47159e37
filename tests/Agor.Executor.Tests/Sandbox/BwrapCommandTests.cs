using Agor.Executor.Sandbox;

namespace Agor.Executor.Tests.Sandbox;

/// <summary>The bwrap argv: its flags, and the order of its mounts (later mounts win).</summary>
public sealed class BwrapCommandTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("agor-argv-").FullName;
    private readonly string _outside = Directory.CreateDirectory($"/var/tmp/agor-argv-{Guid.NewGuid():N}"[..30]).FullName;

    public void Dispose()
    {
        Directory.Delete(_root, recursive: true);
        Directory.Delete(_outside, recursive: true);
    }

    [Fact]
    public void Flags_NamespacesAndPrivileges_ComeFirst()
    {
        var (args, _) = BwrapCommand.Build(Layout());

        Assert.Equal(["--die-with-parent", "--new-session", "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup", "--cap-drop", "ALL", "--hostname", "agor-sandbox"], args.Take(10));
        Assert.Equal(["--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp"], args.Skip(10).Take(9));
        Assert.DoesNotContain("--unshare-user", args);
        Assert.Contains("--unshare-user", BwrapCommand.Build(Layout() with { UnshareUser = true }).Arguments);
    }

    [Fact]
    public void Mounts_MasksThenShownPaths_ThenGitReadOnly_ThenDenyLast()
    {
        var cwd = Dir("cwd");
        Directory.CreateDirectory(Path.Combine(cwd, ".git"));
        File.WriteAllText(Path.Combine(cwd, ".git", "config"), "[core]\n");
        var home = Dir("home");
        var readOnly = Dir("ro");
        var readWrite = Dir("rw");
        var deny = Dir("deny");
        var denyFile = Path.Combine(_root, "deny.sock");
        File.WriteAllText(denyFile, string.Empty);
        var insideDeny = Directory.CreateDirectory(Path.Combine(cwd, "secrets")).FullName;
        var missing = Path.Combine(_root, "missing");

        var (args, skipped) = BwrapCommand.Build(Layout(cwd, home) with
        {
            ReadOnly = [readOnly, missing],
            ReadWrite = [readWrite],
            Deny = [deny, denyFile, insideDeny, missing + "-deny"],
        });

        var hooks = Path.Combine(cwd, ".git", "hooks");
        Assert.True(Directory.Exists(hooks), "a missing .git/hooks is created, to be bound read-only");
        var order = new[]
        {
            At(args, "--tmpfs", "/tmp"),
            At(args, "--tmpfs", "/home"),
            At(args, "--tmpfs", "/root"),
            At(args, "--tmpfs", "/run"),
            At(args, "--ro-bind", readOnly, readOnly),
            At(args, "--bind", cwd, cwd),
            At(args, "--bind", readWrite, readWrite),
            At(args, "--bind", home, "/home/agent"),
            At(args, "--ro-bind", hooks, hooks),
            At(args, "--ro-bind", Path.Combine(cwd, ".git", "config"), Path.Combine(cwd, ".git", "config")),
            At(args, "--tmpfs", deny),
            At(args, "--ro-bind", "/dev/null", denyFile),
            At(args, "--tmpfs", insideDeny),
            At(args, "--chdir", cwd),
        };
        Assert.Equal(order.Order(), order);
        Assert.Equal([missing, missing + "-deny"], skipped);
        Assert.DoesNotContain(missing, args);
        Assert.Equal(["--chdir", cwd, "--setenv", "HOME", "/home/agent", "--setenv", "TMPDIR", "/tmp"], args.TakeLast(8));
    }

    [Fact]
    public void PasswdHomes_PrivateOnesAreMasked_SystemOnesAndAncestorsOfShownPathsAreNot()
    {
        var privateHome = Directory.CreateDirectory(Path.Combine(_outside, "someone")).FullName;
        var ancestorHome = Directory.CreateDirectory(Path.Combine(_outside, "mine")).FullName;
        var cwd = Directory.CreateDirectory(Path.Combine(ancestorHome, "project")).FullName;

        var (args, _) = BwrapCommand.Build(Layout(cwd, Dir("home")) with { PasswdHomes = [privateHome, ancestorHome, "/usr/sbin", "/", "/nonexistent", "/var", "/bin"] });

        Assert.True(At(args, "--tmpfs", privateHome) >= 0);
        Assert.Equal(-1, At(args, "--tmpfs", ancestorHome));
        Assert.Equal(-1, At(args, "--tmpfs", "/usr/sbin"));
        Assert.Equal(-1, At(args, "--tmpfs", "/var"));
        Assert.Equal(-1, At(args, "--tmpfs", "/"));
    }

    [Fact]
    public void ProgramPaths_InANodeModulesTree_AreTheOutermostNodeModules_AndTheRealPathsDirectory()
    {
        var modules = Directory.CreateDirectory(Path.Combine(_outside, "app", "node_modules", "@anthropic-ai", "claude-code", "node_modules", "x")).FullName;
        var program = Path.Combine(modules, "cli");
        File.WriteAllText(program, "binary");
        var elsewhere = Directory.CreateDirectory(Path.Combine(_outside, "bin")).FullName;
        var link = Path.Combine(elsewhere, "claude");
        File.CreateSymbolicLink(link, program);

        var paths = AgentProgramPaths.For(link, "/usr/bin:/bin");

        Assert.Equal([elsewhere, Path.Combine(_outside, "app", "node_modules")], paths);
    }

    [Fact]
    public void ProgramPaths_OfANodeScript_IncludeNodesDirectory()
    {
        var bin = Directory.CreateDirectory(Path.Combine(_outside, "nodebin")).FullName;
        var node = Path.Combine(bin, "node");
        File.WriteAllText(node, "#!/bin/sh\n");
        File.SetUnixFileMode(node, UnixFileMode.UserRead | UnixFileMode.UserExecute);
        var script = Path.Combine(Dir("pkg"), "cli.js");
        File.WriteAllText(script, "#!/usr/bin/env node\nconsole.log(1)\n");

        Assert.Contains(bin, AgentProgramPaths.For(script, bin));
    }

    private static int At(IReadOnlyList<string> args, params string[] sequence)
    {
        for (var i = 0; i + sequence.Length <= args.Count; i++)
        {
            if (args.Skip(i).Take(sequence.Length).SequenceEqual(sequence))
            {
                return i;
            }
        }

        return -1;
    }

    private string Dir(string name) => Directory.CreateDirectory(Path.Combine(_root, name)).FullName;

    private BwrapLayout Layout(string? cwd = null, string? home = null) => new()
    {
        WorkingDirectory = cwd ?? Dir("cwd"),
        AgentHome = home ?? Dir("home"),
    };
}
