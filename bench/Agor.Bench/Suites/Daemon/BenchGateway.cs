using Agor.Daemon.Configuration;
using Agor.Daemon.Gateway;
using Microsoft.Extensions.Logging.Abstractions;

namespace Agor.Bench.Suites.Daemon;

/// <summary>
/// The daemon's real model gateway (<see cref="ModelGateway"/>, its own Kestrel on a free loopback
/// port) started inside the bench with <c>credentials.anthropic</c> pointing at a local upstream,
/// and one task's placeholder minted for it, as the daemon does when a task asks for its key.
/// No spend cap. Disposing stops the gateway and deletes its scratch home.
/// </summary>
internal sealed class BenchGateway : IAsyncDisposable
{
    /// <summary>The "real" key the gateway swaps in; the upstream should see this one, the client never sends it.</summary>
    public const string RealKey = "sk-ant-bench-real-key-0000000000000000";

    private readonly ModelGateway _gateway;
    private readonly string _home;

    private BenchGateway(ModelGateway gateway, string home, string placeholder)
    {
        _gateway = gateway;
        _home = home;
        Placeholder = placeholder;
    }

    /// <summary>The gateway's base URL, e.g. <c>http://127.0.0.1:41234</c>.</summary>
    public string Url => _gateway.Url.TrimEnd('/');

    /// <summary>The task's placeholder key (<c>agor-ph-…</c>), what the agent sends as x-api-key.</summary>
    public string Placeholder { get; }

    public static async Task<BenchGateway> StartAsync(string upstreamBaseUrl, string workDirectory, CancellationToken cancellationToken)
    {
        var home = Directory.CreateDirectory(Path.Combine(workDirectory, "gateway-home-" + Guid.NewGuid().ToString("N")[..8])).FullName;
        try
        {
            var config = new AgorConfig
            {
                Home = home,
                Credentials = new CredentialSettings
                {
                    Services = new Dictionary<string, ServiceCredential>(StringComparer.Ordinal) { ["anthropic"] = new(RealKey, upstreamBaseUrl) },
                },
            };
            var gateway = await ModelGateway.StartAsync(config, network: null, audit: null, NullLoggerFactory.Instance, cancellationToken)
                ?? throw new InvalidOperationException("The model gateway did not start although credentials.anthropic has a key.");
            var placeholder = gateway.Placeholders.Mint(new GatewayTask("task_bench_gateway", "ses_bench_gateway", sessionSpentBefore: 0, maxCostPerTask: 0, maxCostPerSession: 0), "anthropic");
            return new BenchGateway(gateway, home, placeholder);
        }
        catch
        {
            Directory.Delete(home, recursive: true);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _gateway.DisposeAsync();
        Directory.Delete(_home, recursive: true);
    }
}
