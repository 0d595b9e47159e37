using Agor.Cli.Isolation;
using Agor.Cli.Tests.Support;

namespace Agor.Cli.Tests;

/// <summary>The minimal edit of config.yaml that setup-executor-isolation makes.</summary>
public sealed class ConfigYamlEditorTests
{
    private static readonly (string, string)[] Isolated =
    [
        ("run_as_unix_user", "true"),
        ("executor_unix_user", "agor_executor"),
        ("executor_path", ConfigYamlEditor.Quote("/usr/local/lib/agor/agor-executor")),
    ];

    [Fact(Timeout = 30_000)]
    public async Task Template_ValuesReplacedInPlace_CommentsAndColumnsKept_EveryOtherLineUntouched()
    {
        var template = await InitTemplateAsync();

        var (text, changed) = ConfigYamlEditor.SetExecution(template, Isolated);

        // executor_unix_user is agor_executor already.
        Assert.Equal(["run_as_unix_user", "executor_path"], changed);
        var before = template.Split('\n');
        var after = text.Split('\n');
        Assert.Equal(before.Length, after.Length);
        var different = before.Zip(after).Where(p => p.First != p.Second).ToList();
        Assert.Equal(2, different.Count);
        var runAs = different.Single(p => p.First.Contains("run_as_unix_user", StringComparison.Ordinal));
        Assert.StartsWith("  run_as_unix_user: true ", runAs.Second, StringComparison.Ordinal);
        Assert.Equal(runAs.First.IndexOf('#', StringComparison.Ordinal), runAs.Second.IndexOf('#', StringComparison.Ordinal));
        Assert.Contains("executor_path: \"/usr/local/lib/agor/agor-executor\" # default", text, StringComparison.Ordinal);
    }

    [Fact(Timeout = 30_000)]
    public async Task SecondEdit_ChangesNothing()
    {
        var (once, _) = ConfigYamlEditor.SetExecution(await InitTemplateAsync(), Isolated);

        var (twice, changed) = ConfigYamlEditor.SetExecution(once, Isolated);

        Assert.Empty(changed);
        Assert.Equal(once, twice);
    }

    [Fact]
    public void MissingKeys_AreAddedAtTheEndOfTheSection_BeforeTheNextOne()
    {
        const string Yaml = "daemon:\n  port: 0\nexecution:\n    max_executors: 2   # two\n\n# about agents\nagents:\n  claude_code:\n    path: claude\n";

        var (text, changed) = ConfigYamlEditor.SetExecution(Yaml, Isolated);

        Assert.Equal(3, changed.Count);
        Assert.Equal(
            "daemon:\n  port: 0\nexecution:\n    max_executors: 2   # two\n    run_as_unix_user: true\n    executor_unix_user: agor_executor\n    executor_path: \"/usr/local/lib/agor/agor-executor\"\n\n# about agents\nagents:\n  claude_code:\n    path: claude\n",
            text);
    }

    [Fact]
    public void MissingSection_IsAppended()
    {
        var (text, _) = ConfigYamlEditor.SetExecution("daemon:\n  port: 0\n", Isolated);

        Assert.Equal("daemon:\n  port: 0\nexecution:\n  run_as_unix_user: true\n  executor_unix_user: agor_executor\n  executor_path: \"/usr/local/lib/agor/agor-executor\"\n", text);
    }

    [Fact]
    public void QuotedHashInAValue_IsNotAComment()
    {
        var (text, changed) = ConfigYamlEditor.SetExecution("execution:\n  executor_unix_user: \"a#b\"  # who\n", [("executor_unix_user", "agor_executor")]);

        Assert.Single(changed);
        Assert.Equal("execution:\n  executor_unix_user: agor_executor # who\n", text);
    }

    [Fact]
    public void FlowStyleSection_IsRefusedWithWhatToSetByHand()
    {
        var error = Assert.Throws<CliException>(() => ConfigYamlEditor.SetExecution("execution: { max_executors: 2 }\n", Isolated));

        Assert.Contains("run_as_unix_user: true", error.Message, StringComparison.Ordinal);
    }

    [Fact(Timeout = 30_000)]
    public async Task SandboxModeRequired_ReplacesTheTemplatesAutoInPlace_AndOnlyThatLine()
    {
        var template = await InitTemplateAsync();

        var (text, changed) = ConfigYamlEditor.Set(template, "sandbox", [("mode", "required")]);

        Assert.Equal(["mode"], changed);
        var different = template.Split('\n').Zip(text.Split('\n')).Where(p => p.First != p.Second).ToList();
        var line = Assert.Single(different);
        Assert.StartsWith("  mode: required ", line.Second, StringComparison.Ordinal);
        Assert.Equal(line.First.IndexOf('#', StringComparison.Ordinal), line.Second.IndexOf('#', StringComparison.Ordinal));
    }

    [Fact]
    public void SandboxSection_IsAppendedWhenMissing_AndExecutionsModeKeyIsNotTouched()
    {
        var (text, _) = ConfigYamlEditor.Set("execution:\n  mode: other\n", "sandbox", [("mode", "required")]);

        Assert.Equal("execution:\n  mode: other\nsandbox:\n  mode: required\n", text);
    }

    /// <summary>The commented config.yaml that <c>agor init</c> writes.</summary>
    private static async Task<string> InitTemplateAsync()
    {
        await using var home = AgorHomeDirectory.CreateEmpty();
        await home.RunCheckedAsync("init");
        return await File.ReadAllTextAsync(home.ConfigPath);
    }
}
