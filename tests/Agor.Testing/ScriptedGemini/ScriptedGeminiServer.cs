using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Agor.Testing.ScriptedGemini;

/// <summary>
/// A local stand-in for the Gemini API, so the real Gemini CLI can run in tests: set
/// <c>GOOGLE_GEMINI_BASE_URL</c> to <see cref="BaseUrl"/>. Each
/// <c>POST /v1beta/models/{model}:streamGenerateContent?alt=sse</c> plays the next turn of
/// <see cref="Script"/>; <c>:generateContent</c> side calls are answered from their
/// <c>responseJsonSchema</c> or refused. Every request is recorded.
/// </summary>
public sealed class ScriptedGeminiServer : IAsyncDisposable
{
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(5);

    private readonly WebApplication _app;
    private readonly GeminiRecorder _recorder;
    private readonly CancellationTokenSource _stopping;
    private int _disposed;

    private ScriptedGeminiServer(WebApplication app, GeminiScript script, GeminiRecorder recorder, CancellationTokenSource stopping, string baseUrl)
    {
        _app = app;
        Script = script;
        _recorder = recorder;
        _stopping = stopping;
        BaseUrl = baseUrl;
    }

    /// <summary><c>http://127.0.0.1:PORT</c>, no trailing slash.</summary>
    public string BaseUrl { get; }

    public GeminiScript Script { get; }

    /// <summary>Every request so far, in order of arrival.</summary>
    public IReadOnlyList<GeminiRequest> Requests => _recorder.Snapshot();

    /// <summary>The streaming calls (each took a turn), in order.</summary>
    public IReadOnlyList<GeminiRequest> ConversationRequests => [.. _recorder.Snapshot().Where(r => r.TurnIndex is not null).OrderBy(r => r.TurnIndex)];

    /// <summary>Starts on a free loopback port; listening when the task completes.</summary>
    public static async Task<ScriptedGeminiServer> StartAsync(CancellationToken cancellationToken = default)
    {
        var script = new GeminiScript();
        var recorder = new GeminiRecorder();
        var stopping = new CancellationTokenSource();
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, 0);
            kestrel.AddServerHeader = false;
        });
        var app = builder.Build();
        var responder = new GeminiResponder(script, recorder, stopping.Token);
        app.Run(responder.HandleAsync);
        try
        {
            await app.StartAsync(cancellationToken);
            var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
            return new ScriptedGeminiServer(app, script, recorder, stopping, address.TrimEnd('/'));
        }
        catch
        {
            await app.DisposeAsync();
            stopping.Dispose();
            throw;
        }
    }

    /// <summary>The first request, received or to come, that <paramref name="match"/> accepts (run under a lock: keep it quick).</summary>
    public Task<GeminiRequest> WaitForRequestAsync(Func<GeminiRequest, bool> match, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(match);
        return _recorder.WaitForAsync(match, cancellationToken);
    }

    /// <summary>The streaming call that took turn <paramref name="turnIndex"/> (0-based).</summary>
    public Task<GeminiRequest> WaitForConversationRequestAsync(int turnIndex, CancellationToken cancellationToken = default) =>
        _recorder.WaitForAsync(r => r.TurnIndex == turnIndex, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stopping.CancelAsync();
        using (var timeout = new CancellationTokenSource(StopTimeout))
        {
            try
            {
                await _app.StopAsync(timeout.Token);
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested)
            {
            }
        }

        await _app.DisposeAsync();
        _recorder.Close();
        _stopping.Dispose();
    }
}
