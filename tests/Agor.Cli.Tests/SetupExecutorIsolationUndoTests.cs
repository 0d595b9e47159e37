using Agor.Cli.Isolation;
using Agor.Cli.Tests.Support;

namespace Agor.Cli.Tests;

/// <summary>What <c>setup-executor-isolation --undo</c> does to config.yaml: the lines setup changed, put back as they were.</summary>
public sealed class SetupExecutorIsolationUndoTests
{
    private static readonly (string, string)[] Isolated =
    [
        ("run_as_unix_user", "true"),
        ("executor_unix_user", "agor_cli_executor"),
        ("executor_path", ConfigYamlEditor.Quote("/usr/local/lib/agor/agor-root-0123abcd/agor-executor")),
    ];

    [Fact(Timeout = 30_000)]
    public async Task Template_EditedThenReverted_IsTheSameTextByteForByte()
    {
        await using var home = AgorHomeDirectory.CreateEmpty();
        await home.RunCheckedAsync("init");
        var template = await File.ReadAllTextAsync(home.ConfigPath);
        var execution = ConfigYamlEditor.Edit(template, "execution", Isolated);
        var sandbox = ConfigYamlEditor.Edit(execution.Text, "sandbox", [("mode", "required")]);

        var (text, reverted, kept) = ConfigYamlEditor.Revert(sandbox.Text, [.. execution.Edits, .. sandbox.Edits]);

        Assert.NotEqual(template, sandbox.Text);
        Assert.Equal(template, text);
        Assert.Equal(["sandbox.mode", "execution.executor_path", "execution.executor_unix_user", "execution.run_as_unix_user"], reverted);
        Assert.Empty(kept);
    }

    [Fact]
    public void ALineChangedSinceSetup_IsKept_TheOthersGoBack()
    {
        const string Yaml = "daemon:\n  port: 0\nexecution:\n  max_executors: 2   # two\n";
        var edit = ConfigYamlEditor.Edit(Yaml, "execution", Isolated);
        var handEdited = edit.Text.Replace("executor_unix_user: agor_cli_executor", "executor_unix_user: someone_else", StringComparison.Ordinal);

        var (text, reverted, kept) = ConfigYamlEditor.Revert(handEdited, edit.Edits);

        Assert.Equal("daemon:\n  port: 0\nexecution:\n  max_executors: 2   # two\n  executor_unix_user: someone_else\n", text);
        Assert.Equal(["execution.executor_path", "execution.run_as_unix_user"], reverted);
        Assert.Equal(["execution.executor_unix_user"], kept);
    }

    [Fact]
    public void ASectionSetupAdded_GoesWithItsKeys()
    {
        const string Yaml = "daemon:\n  port: 0\n";
        var edit = ConfigYamlEditor.Edit(Yaml, "execution", Isolated);

        var (text, reverted, _) = ConfigYamlEditor.Revert(edit.Text, edit.Edits);

        Assert.Equal(Yaml, text);
        Assert.Contains("execution", reverted);
    }
}
