using System.Net.Http.Headers;
using System.Text;
using Agor.Daemon.Configuration;
using Agor.Daemon.Gateway;
using Agor.Testing.ScriptedModel;
using Microsoft.Extensions.Logging.Abstractions;

namespace Agor.Daemon.Tests.Gateway;

/// <summary>A real model gateway in this process, in front of a real scripted model server, both on loopback.</summary>
internal sealed class GatewayFixture : IAsyncDisposable
{
    public const string RealKey = "sk-ant-real-gateway-spec-key";

    private readonly string _home;

    private GatewayFixture(ScriptedModelServer model, ModelGateway gateway, string home)
    {
        Model = model;
        Gateway = gateway;
        _home = home;
        Http = new HttpClient { BaseAddress = new Uri(gateway.Url) };
    }

    public ScriptedModelServer Model { get; }

    public ModelGateway Gateway { get; }

    public HttpClient Http { get; }

    public static async Task<GatewayFixture> StartAsync(LimitSettings? limits = null, NetworkSettings? network = null)
    {
        var model = await ScriptedModelServer.StartAsync();
        var home = Directory.CreateTempSubdirectory("agor-gw-").FullName;
        var config = new AgorConfig
        {
            Home = home,
            Credentials = new CredentialSettings
            {
                Services = new Dictionary<string, ServiceCredential>(StringComparer.Ordinal) { ["anthropic"] = new(RealKey, model.BaseUrl) },
            },
            Limits = limits ?? new LimitSettings(),
            Network = network ?? new NetworkSettings(),
        };
        var gateway = await ModelGateway.StartAsync(config, null, null, NullLoggerFactory.Instance, CancellationToken.None)
            ?? throw new InvalidOperationException("the gateway did not start with a key configured");
        return new GatewayFixture(model, gateway, home);
    }

    public static HttpRequestMessage MessagesRequest(string placeholder, bool stream = true, string model = "claude-sonnet-4-5")
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/messages?beta=true")
        {
            Content = new StringContent(
                $$"""{"model":"{{model}}","max_tokens":256,"stream":{{(stream ? "true" : "false")}},"messages":[{"role":"user","content":"Say something"}]}""",
                Encoding.UTF8,
                "application/json"),
        };
        request.Headers.Add("x-api-key", placeholder);
        request.Headers.Add("anthropic-version", "2023-06-01");
        request.Headers.Connection.Add("x-hop");
        request.Headers.Add("x-hop", "must not be forwarded");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        return request;
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Gateway.DisposeAsync();
        await Model.DisposeAsync();
        Directory.Delete(_home, recursive: true);
    }
}
