using Agor.Daemon.Configuration;
using Agor.Daemon.Gateway;
using Microsoft.Extensions.Logging.Abstractions;

namespace Agor.Daemon.Tests.Gateway;

/// <summary>A real model gateway in this process with a key for each of the three services, each in front of its own scripted upstream.</summary>
internal sealed class ThreeUpstreamsFixture : IAsyncDisposable
{
    public const string AnthropicKey = "sk-ant-real-three-upstreams";
    public const string OpenAiKey = "sk-proj-real-openai-key-for-specs";
    public const string GoogleKey = "AIza-real-google-key-for-specs";

    private readonly string _home;

    private ThreeUpstreamsFixture(ModelGateway gateway, ScriptedUpstream anthropic, ScriptedUpstream openAi, ScriptedUpstream google, string home)
    {
        Gateway = gateway;
        Anthropic = anthropic;
        OpenAi = openAi;
        Google = google;
        _home = home;
        Http = new HttpClient { BaseAddress = new Uri(gateway.Url) };
    }

    public ModelGateway Gateway { get; }

    public ScriptedUpstream Anthropic { get; }

    public ScriptedUpstream OpenAi { get; }

    public ScriptedUpstream Google { get; }

    public HttpClient Http { get; }

    public IEnumerable<UpstreamRequest> AllRequests => Anthropic.Requests.Concat(OpenAi.Requests).Concat(Google.Requests);

    public static async Task<ThreeUpstreamsFixture> StartAsync(Agor.Daemon.Storage.IEgressStore? audit = null)
    {
        var anthropic = await ScriptedUpstream.StartAsync();
        var openAi = await ScriptedUpstream.StartAsync();
        var google = await ScriptedUpstream.StartAsync();
        var home = Directory.CreateTempSubdirectory("agor-gw3-").FullName;
        var config = new AgorConfig
        {
            Home = home,
            Credentials = new CredentialSettings
            {
                Services = new Dictionary<string, ServiceCredential>(StringComparer.Ordinal)
                {
                    ["anthropic"] = new(AnthropicKey, anthropic.BaseUrl),
                    ["openai"] = new(OpenAiKey, openAi.BaseUrl),
                    ["google"] = new(GoogleKey, google.BaseUrl),
                },
            },
        };
        var gateway = await ModelGateway.StartAsync(config, null, audit, NullLoggerFactory.Instance, CancellationToken.None)
            ?? throw new InvalidOperationException("the gateway did not start with keys configured");
        return new ThreeUpstreamsFixture(gateway, anthropic, openAi, google, home);
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Gateway.DisposeAsync();
        await Anthropic.DisposeAsync();
        await OpenAi.DisposeAsync();
        await Google.DisposeAsync();
        Directory.Delete(_home, recursive: true);
    }
}
