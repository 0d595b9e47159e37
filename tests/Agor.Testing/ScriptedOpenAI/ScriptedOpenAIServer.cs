using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Agor.Testing.ScriptedOpenAI;

/// <summary>
/// A local stand-in for the OpenAI Responses API, so the real Codex CLI can run in tests: point a
/// custom model provider's <c>base_url</c> at <see cref="BaseUrl"/>. Each <c>POST …/responses</c>
/// plays the next turn of <see cref="Script"/> as server-sent events; anything else gets 404.
/// Every request is recorded with its headers and body.
/// </summary>
/// <remarks>Listens on 127.0.0.1 on a free port. Thread-safe. Disposing cuts answers still streaming.</remarks>
public sealed class ScriptedOpenAIServer : IAsyncDisposable
{
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(5);

    private readonly Lock _lock = new();
    private readonly List<RecordedResponsesRequest> _requests = [];
    private readonly List<(Func<RecordedResponsesRequest, bool> Predicate, TaskCompletionSource<RecordedResponsesRequest> Waiter)> _waiters = [];
    private readonly CancellationTokenSource _stopping = new();
    private WebApplication? _app;
    private int _disposed;

    private ScriptedOpenAIServer()
    {
    }

    /// <summary><c>http://127.0.0.1:PORT/v1</c>: the provider's <c>base_url</c> (Codex posts to <c>{base_url}/responses</c>).</summary>
    public string BaseUrl { get; private set; } = string.Empty;

    public ResponsesScript Script { get; } = new();

    /// <summary>The text of the default answer when the script is empty.</summary>
    public string DefaultReplyText { get; init; } = "OK.";

    /// <summary>A snapshot of every request so far, in order of arrival.</summary>
    public IReadOnlyList<RecordedResponsesRequest> Requests
    {
        get
        {
            lock (_lock)
            {
                return [.. _requests];
            }
        }
    }

    /// <summary>The <c>POST …/responses</c> requests, in order.</summary>
    public IReadOnlyList<RecordedResponsesRequest> ResponsesRequests => [.. Requests.Where(r => r.IsResponses)];

    public static async Task<ScriptedOpenAIServer> StartAsync(CancellationToken cancellationToken = default)
    {
        var server = new ScriptedOpenAIServer();
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, 0);
            kestrel.AddServerHeader = false;
        });
        var app = builder.Build();
        app.Run(server.HandleAsync);
        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }

        server._app = app;
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First().TrimEnd('/');
        server.BaseUrl = address + "/v1";
        return server;
    }

    /// <summary>Completes with the first request, received or still to come, that <paramref name="predicate"/> accepts.</summary>
    public Task<RecordedResponsesRequest> WaitForRequestAsync(Func<RecordedResponsesRequest, bool> predicate, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        var waiter = new TaskCompletionSource<RecordedResponsesRequest>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lock)
        {
            if (_requests.FirstOrDefault(predicate) is { } found)
            {
                return Task.FromResult(found);
            }

            _waiters.Add((predicate, waiter));
        }

        return waiter.Task.WaitAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stopping.CancelAsync();
        if (_app is not null)
        {
            using var timeout = new CancellationTokenSource(StopTimeout);
            try
            {
                await _app.StopAsync(timeout.Token);
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested)
            {
            }

            await _app.DisposeAsync();
        }

        lock (_lock)
        {
            foreach (var (_, waiter) in _waiters)
            {
                waiter.TrySetException(new ObjectDisposedException(nameof(ScriptedOpenAIServer), "The scripted OpenAI server stopped before a matching request arrived."));
            }

            _waiters.Clear();
        }

        _stopping.Dispose();
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var aborted = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _stopping.Token);
        var cancellationToken = aborted.Token;
        try
        {
            string body;
            using (var reader = new StreamReader(context.Request.Body, Encoding.UTF8))
            {
                body = await reader.ReadToEndAsync(cancellationToken);
            }

            var recorded = Record(context.Request, body);
            if (!recorded.IsResponses)
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return;
            }

            var turn = Script.TryTake() ?? ResponsesTurn.Text(DefaultReplyText);
            await ResponsesStreamer.StreamAsync(context.Response, turn, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The client went away (an interrupt) or the server is stopping.
        }
    }

    private RecordedResponsesRequest Record(HttpRequest request, string body)
    {
        var headers = request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString(), StringComparer.Ordinal);
        lock (_lock)
        {
            var recorded = new RecordedResponsesRequest(_requests.Count, request.Method, request.Path.Value ?? string.Empty, headers, body);
            _requests.Add(recorded);
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Predicate(recorded))
                {
                    _waiters[i].Waiter.TrySetResult(recorded);
                    _waiters.RemoveAt(i);
                }
            }

            return recorded;
        }
    }
}
