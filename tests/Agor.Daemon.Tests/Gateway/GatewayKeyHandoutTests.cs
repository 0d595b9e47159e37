using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Agor.Daemon.Tests.Api;
using Agor.Testing.Support;

namespace Agor.Daemon.Tests.Gateway;

/// <summary>
/// get_api_key as a hostile executor on the daemon's real socket meets it: whatever service it
/// names, it gets a placeholder and the gateway's address, never a real key; a service with no key
/// or one the daemon does not serve is refused with no_api_key.
/// </summary>
public sealed class GatewayKeyHandoutTests
{
    private const string OpenAiKey = "sk-proj-real-openai-handout-spec";

    [SkippableFact(Timeout = 90_000)]
    public async Task EveryServicesKey_IsAPlaceholderOfTheGateway_AndAServiceWithoutKeyIsRefused()
    {
        var directory = Directory.CreateTempSubdirectory("agor-keys-").FullName;
        var wrapper = Path.Combine(directory, "hostile-executor");
        await File.WriteAllTextAsync(wrapper, string.Create(
            CultureInfo.InvariantCulture,
            $"#!/bin/sh\nexec '{DotnetHost}' '{TestBinaries.PoolProbeDll}' hostile-executor --script key-services \"$@\"\n"));
        File.SetUnixFileMode(wrapper, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        try
        {
            await using var h = await DaemonHarness.StartAsync(o => o with
            {
                Execution = [$"executor_path: {wrapper}", $"socket_path_template: {directory}/executor-{{id}}.sock"],
                Environment = new Dictionary<string, string> { ["OPENAI_API_KEY"] = OpenAiKey, ["AGOR_CODEX_PATH"] = "/opt/spec/codex" },
            });

            // A codex session: its context names the agent and the codex executable of the configuration.
            var created = await Agor.Testing.Daemon.DaemonProcess.ReadAsync(await h.Daemon.Http.PostAsJsonAsync("/sessions", new { cwd = h.WorkingDirectory, agent = "codex" }), 201);
            Assert.Equal("codex", created.GetProperty("agent").GetString());
            var session = created.GetProperty("id").GetString()!;
            var task = await h.WaitForTaskEndAsync(await h.PromptAsync(session, "give me your keys"));
            Assert.Equal("completed", task.GetProperty("status").GetString());

            var record = File.ReadAllLines(Path.Combine(directory, "hostile-record.log")).Select(l => l.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
            using var context = JsonDocument.Parse(record["context"]);
            Assert.Equal("codex", context.RootElement.GetProperty("agent").GetString());
            Assert.Equal("/opt/spec/codex", context.RootElement.GetProperty("agent_path").GetString());
            using var anthropic = JsonDocument.Parse(record["key_anthropic"]);
            using var openAi = JsonDocument.Parse(record["key_openai"]);
            using var google = JsonDocument.Parse(record["key_google"]);
            using var unknown = JsonDocument.Parse(record["key_aws"]);

            // Both keyed services: a placeholder, at the same gateway base URL (no /v1: the executor adds it for Codex).
            var anthropicKey = anthropic.RootElement.GetProperty("api_key").GetString()!;
            var openAiKey = openAi.RootElement.GetProperty("api_key").GetString()!;
            Assert.StartsWith("agor-ph-", anthropicKey, StringComparison.Ordinal);
            Assert.StartsWith("agor-ph-", openAiKey, StringComparison.Ordinal);
            Assert.NotEqual(anthropicKey, openAiKey);
            var baseUrl = openAi.RootElement.GetProperty("base_url").GetString();
            Assert.Equal(anthropic.RootElement.GetProperty("base_url").GetString(), baseUrl);
            Assert.NotEqual(h.Model.BaseUrl.TrimEnd('/'), baseUrl?.TrimEnd('/'));
            Assert.DoesNotContain("/v1", baseUrl, StringComparison.Ordinal);

            // No key for google, and aws is no service of the daemon: no_api_key, saying why.
            Assert.Equal(-32003, google.RootElement.GetProperty("code").GetInt32());
            Assert.Contains("credentials.google.api_key", google.RootElement.GetProperty("message").GetString(), StringComparison.Ordinal);
            Assert.Equal(-32003, unknown.RootElement.GetProperty("code").GetInt32());

            // The real keys are nowhere the executor, the log or the audit can show.
            var everything = string.Concat(record.Values) + h.Daemon.Log + await h.Daemon.Http.GetStringAsync("/audit?limit=100");
            Assert.DoesNotContain(OpenAiKey, everything, StringComparison.Ordinal);
            Assert.DoesNotContain(h.Options.ApiKey!, everything, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static string DotnetHost =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "/usr/bin/dotnet";
}
