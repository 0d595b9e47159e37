using System.Net.Http.Json;
using System.Text.Json;
using Agor.Daemon.Configuration;
using Agor.Daemon.Executors;
using Agor.Daemon.Tests.Api;
using Agor.Testing.Support;

namespace Agor.Daemon.Tests.Executors;

/// <summary>
/// A session's <c>unix_user</c> is one the configuration allows: never root, never the daemon's own
/// user while isolation is on. Before, <c>{unix_user: "root"}</c> to a root daemon ran the agent as root.
/// </summary>
[Collection(IsolationTestGroup.Name)]
public sealed class UnixUserTests
{
    private const string ExecutorUser = "agor_executor";

    private static readonly ExecutionSettings Isolated = new() { RunAsUnixUser = true, ExecutorUnixUser = ExecutorUser, AllowedUnixUsers = ["bin", "alice_t"] };

    [Theory]
    [InlineData("root", "must never be root")]
    [InlineData("nobody", "'nobody' is not allowed; a session may name agor_executor, bin, alice_t")]
    [InlineData("alice_t", "must not be the daemon's own user ('alice_t') while execution.run_as_unix_user is on")]
    [InlineData("Bad;user", "is not a valid Unix user name")]
    public void Policy_RefusesWhatNobodyChose(string user, string expected)
    {
        var policy = new UnixUserPolicy(Isolated, daemonUser: "alice_t", daemonUid: 4242);

        Assert.Contains(expected, policy.Problem(user), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(ExecutorUser)]
    [InlineData("bin")]
    public void Policy_AllowsTheExecutorUserAndTheConfiguredOnes(string user) =>
        Assert.Null(new UnixUserPolicy(Isolated, daemonUser: "alice_t", daemonUid: 4242).Problem(user));

    [Fact]
    public void Policy_RefusesAnyUserWithUidZero_WhateverItsName()
    {
        // Read from /etc/passwd: "root" is uid 0 here; the check is on the uid, not only the name.
        var policy = new UnixUserPolicy(Isolated with { AllowedUnixUsers = ["root"] }, "alice_t", 4242);

        Assert.Contains("must never be root", policy.Problem("root"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("root", "must never be root")]
    [InlineData("nobody", "is not allowed")]
    public void Plan_ChecksAgainAtSpawn(string user, string expected)
    {
        var launcher = new ExecutorLauncher(Isolated, "/usr/local/bin/agor-executor", ImpersonationMode.Sudo, "/usr/bin/sudo");

        var error = Assert.Throws<ExecutorStartException>(() => launcher.Plan(user));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_AnAllowedUser_GoesThroughSudo_ExpectingThatUsersUid()
    {
        var bin = UnixUser.Find("bin");
        Skip.If(bin is null, "this test needs the system user 'bin'");
        var launcher = new ExecutorLauncher(Isolated, "/usr/local/bin/agor-executor", ImpersonationMode.Sudo, "/usr/bin/sudo");

        var spec = launcher.Plan("bin");

        Assert.True(spec.ThroughSudo);
        Assert.Equal(bin!.Uid, spec.ExpectedUid);
        Assert.Equal(["-n", "-u", "bin", "--"], spec.Arguments.Take(4));
    }

    [SkippableFact(Timeout = 120_000)]
    public async Task PostSessions_RefusesRootNobodyAndTheDaemonsOwnUser_With400NamingUnixUser_AndAcceptsAllowedOnes()
    {
        Isolation.Require();
        await UnixUsers.EnsureAsync(ExecutorUser);
        await using var h = await DaemonHarness.StartAsync(o => o with
        {
            Execution = ["run_as_unix_user: true", $"executor_unix_user: {ExecutorUser}", "allowed_unix_users: [bin]"],
        });

        // The daemon runs as root here: root is also the daemon's own user.
        foreach (var refused in new[] { "root", "nobody", Environment.UserName })
        {
            var response = await h.Daemon.Http.PostAsJsonAsync("/sessions", new Dictionary<string, string> { ["cwd"] = h.WorkingDirectory, ["unix_user"] = refused });
            var body = await response.Content.ReadAsStringAsync();
            Assert.True((int)response.StatusCode == 400, $"unix_user '{refused}': {(int)response.StatusCode} {body}");
            using var problem = JsonDocument.Parse(body);
            Assert.Equal("unix_user", problem.RootElement.GetProperty("field").GetString());
        }

        foreach (var allowed in new[] { ExecutorUser, "bin" })
        {
            var session = await h.Daemon.CreateSessionAsync(h.WorkingDirectory, unixUser: allowed);
            Assert.Equal(allowed, session.GetProperty("unix_user").GetString());
        }
    }
}
