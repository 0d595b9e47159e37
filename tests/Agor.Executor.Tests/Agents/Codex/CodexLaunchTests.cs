using Agor.Executor.Agents.Codex;
using Agor.Testing.Support;

namespace Agor.Executor.Tests.Agents.Codex;

/// <summary>How the Codex runner finds its program and builds its command line (no process started).</summary>
public sealed class CodexLaunchTests
{
    [SkippableFact]
    public void TheNpmWrapper_ResolvesToThePlatformPackagesNativeBinary()
    {
        var wrapper = CodexCli.Require();
        Skip.IfNot(File.ResolveLinkTarget(wrapper, returnFinalTarget: true)?.FullName.EndsWith("/bin/codex.js", StringComparison.Ordinal) == true, "AGOR_CODEX_PATH is not the npm wrapper");

        var native = CodexProgram.Resolve(wrapper, null);

        Assert.EndsWith("/@openai/codex-linux-x64/vendor/x86_64-unknown-linux-musl/bin/codex", native, StringComparison.Ordinal);
        Assert.True(File.Exists(native));
    }

    [Fact]
    public void AProgramThatIsNoWrapper_IsKeptAsItIs()
    {
        Assert.Equal("/bin/sh", CodexProgram.Resolve("/bin/sh", null));
        Assert.Equal("no-such-codex", CodexProgram.Resolve("no-such-codex", "/nonexistent"));
    }

    [Theory]
    [InlineData("http://127.0.0.1:8080", "http://127.0.0.1:8080/v1")]
    [InlineData("http://127.0.0.1:8080/", "http://127.0.0.1:8080/v1")]
    [InlineData("http://127.0.0.1:8080/v1/", "http://127.0.0.1:8080/v1")]
    [InlineData("http://gateway/openai/v1", "http://gateway/openai/v1")]
    [InlineData(null, "https://api.openai.com/v1")]
    public void TheBaseUrl_GetsTheApisV1_OnlyWhenItIsABareOrigin(string? given, string expected) =>
        Assert.Equal(expected, CodexArguments.BaseUrl(given));

    [Fact]
    public void TheCommandLine_TurnsOffCodexsSandboxPluginsAnalyticsAndUnboundedRetries_AndQuotesValuesAsToml()
    {
        var arguments = CodexArguments.For("gpt-5.5\" \nx", "http://127.0.0.1:1/v1");

        Assert.Equal("app-server", arguments[0]);
        Assert.Contains("sandbox_mode=\"danger-full-access\"", arguments);
        Assert.Contains("analytics.enabled=false", arguments);
        Assert.Contains("check_for_update_on_startup=false", arguments);
        Assert.Contains("model_providers.agor.env_key=\"AGOR_OPENAI_KEY\"", arguments);
        Assert.Contains("model_providers.agor.base_url=\"http://127.0.0.1:1/v1\"", arguments);
        Assert.Contains("model=\"gpt-5.5\\\" \\u000ax\"", arguments);
        Assert.Equal(["plugins", "unbounded_connection_retries"], arguments.Select((a, i) => (a, i)).Where(x => x.a == "--disable").Select(x => arguments[x.i + 1]));
    }
}
