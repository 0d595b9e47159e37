using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Agor.Testing.ScriptedModel;

/// <summary>
/// A local stand-in for the Anthropic Messages API, so the real Claude Code CLI can run in tests:
/// set <c>ANTHROPIC_BASE_URL</c> to <see cref="BaseUrl"/>. Each streaming <c>POST /v1/messages</c>
/// plays the next turn of <see cref="Script"/>; non-streaming message calls, <c>count_tokens</c> and
/// preflights get canned answers. Every request is recorded in <see cref="Requests"/>.
/// </summary>
/// <remarks>
/// Listens on 127.0.0.1 on a free port. All members are thread-safe. Disposing cuts any answer
/// still streaming and fails pending <see cref="WaitForRequestAsync"/> calls with <see cref="ObjectDisposedException"/>.
/// </remarks>
public sealed class ScriptedModelServer : IAsyncDisposable
{
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(5);

    private readonly WebApplication _app;
    private readonly RequestRecorder _recorder;
    private readonly CancellationTokenSource _stopping;
    private int _disposed;

    private ScriptedModelServer(WebApplication app, ModelScript script, RequestRecorder recorder, CancellationTokenSource stopping, string baseUrl)
    {
        _app = app;
        Script = script;
        _recorder = recorder;
        _stopping = stopping;
        BaseUrl = baseUrl;
    }

    /// <summary>The server's root, <c>http://127.0.0.1:PORT</c> with no trailing slash: the value for <c>ANTHROPIC_BASE_URL</c>.</summary>
    public string BaseUrl { get; }

    /// <summary>The turns the conversation requests will get.</summary>
    public ModelScript Script { get; }

    /// <summary>A snapshot of every request received so far, in order of arrival.</summary>
    public IReadOnlyList<RecordedRequest> Requests => _recorder.Snapshot();

    /// <summary>A snapshot of the requests that took a scripted turn (streaming message calls), in order.</summary>
    public IReadOnlyList<RecordedRequest> ConversationRequests =>
        [.. _recorder.Snapshot().Where(r => r.Kind == RecordedRequestKind.Conversation)];

    /// <summary>Starts a server with default options.</summary>
    public static Task<ScriptedModelServer> StartAsync(CancellationToken cancellationToken = default) =>
        StartAsync(new ScriptedModelServerOptions(), cancellationToken);

    /// <summary>Starts a server on a free loopback port; it is listening when the task completes.</summary>
    public static async Task<ScriptedModelServer> StartAsync(ScriptedModelServerOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var logger = options.Logger ?? NullLogger.Instance;
        var script = new ModelScript();
        var recorder = new RequestRecorder();
        var stopping = new CancellationTokenSource();

        // The empty builder reads no configuration files, environment or arguments and adds no log provider.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, 0);
            kestrel.AddServerHeader = false;
        });
        var app = builder.Build();
        var dispatcher = new RequestDispatcher(script, recorder, options, logger, stopping.Token);
        app.Run(dispatcher.HandleAsync);
        try
        {
            await app.StartAsync(cancellationToken);
            var addresses = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses;
            var baseUrl = addresses.First().TrimEnd('/');
            ScriptedModelServerLog.Listening(logger, baseUrl);
            return new ScriptedModelServer(app, script, recorder, stopping, baseUrl);
        }
        catch
        {
            await app.DisposeAsync();
            stopping.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Completes with the first request, already received or still to come, that <paramref name="predicate"/>
    /// accepts. The predicate runs under the recorder's lock on a server thread: keep it quick.
    /// </summary>
    /// <exception cref="OperationCanceledException">The token was cancelled first.</exception>
    /// <exception cref="ObjectDisposedException">The server stopped first.</exception>
    public Task<RecordedRequest> WaitForRequestAsync(Func<RecordedRequest, bool> predicate, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        return _recorder.WaitForAsync(predicate, cancellationToken);
    }

    /// <summary>Completes with the conversation request that took turn <paramref name="turnIndex"/> (0-based).</summary>
    public Task<RecordedRequest> WaitForConversationRequestAsync(int turnIndex, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(turnIndex);
        return _recorder.WaitForAsync(r => r.TurnIndex == turnIndex, cancellationToken);
    }

    /// <summary>Stops listening, cutting answers still streaming. Safe to call more than once.</summary>
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
                // Kestrel aborted the connections that did not close in time; nothing more to do.
            }
        }

        await _app.DisposeAsync();
        _recorder.Close();
        _stopping.Dispose();
    }
}
