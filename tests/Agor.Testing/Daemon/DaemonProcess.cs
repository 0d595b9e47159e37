using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Agor.Testing.Support;

namespace Agor.Testing.Daemon;

/// <summary>
/// A real <c>agor daemon start --foreground</c> process with its own AGOR_HOME, configured to run
/// the real Claude Code CLI against a scripted model server, and an HTTP client holding its token.
/// </summary>
public sealed class DaemonProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log = new();
    private readonly Task _logPump;
    private readonly bool _ownsHome;

    private DaemonProcess(Process process, string home, bool ownsHome, string address, string token)
    {
        _process = process;
        Home = home;
        _ownsHome = ownsHome;
        Address = address;
        Token = token;
        Http = new HttpClient { BaseAddress = new Uri(address), Timeout = TimeSpan.FromSeconds(60) };
        Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        _logPump = Task.Run(async () =>
        {
            while (await process.StandardError.ReadLineAsync() is { } line)
            {
                lock (_log)
                {
                    _log.AppendLine(line);
                }
            }
        });
    }

    public string Home { get; }

    public string Address { get; }

    public string Token { get; }

    public int Pid => _process.Id;

    /// <summary>A client that sends the API token.</summary>
    public HttpClient Http { get; }

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>What the daemon logged so far.</summary>
    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    /// <summary>The <c>agor</c> built beside the tests (test projects reference src/Agor.Cli).</summary>
    public static string AgorPath => Path.Combine(AppContext.BaseDirectory, "agor");

    public static async Task<DaemonProcess> StartAsync(DaemonProcessOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var ownsHome = options.Home is null;
        var home = options.Home ?? CreateHome();
        if (ownsHome)
        {
            await File.WriteAllTextAsync(Path.Combine(home, "config.yaml"), ConfigYaml(options), cancellationToken);
        }

        var startInfo = new ProcessStartInfo(options.AgorPath ?? AgorPath)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "daemon", "start", "--foreground" })
        {
            startInfo.ArgumentList.Add(argument);
        }

        startInfo.Environment.Clear();
        startInfo.Environment["PATH"] = Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin";
        startInfo.Environment["HOME"] = Path.Combine(home, "user-home");
        startInfo.Environment["LANG"] = "C.UTF-8";
        startInfo.Environment["AGOR_HOME"] = home;
        startInfo.Environment["DOTNET_ROOT"] = Environment.GetEnvironmentVariable("DOTNET_ROOT") ?? Path.GetDirectoryName(Environment.ProcessPath);
        foreach (var (name, value) in options.Environment)
        {
            startInfo.Environment[name] = value;
        }

        Directory.CreateDirectory(Path.Combine(home, "user-home"));
        var process = Process.Start(startInfo)!;
        process.StandardInput.Close();
        string? line;
        using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            timeout.CancelAfter(TimeSpan.FromSeconds(30));
            line = await process.StandardOutput.ReadLineAsync(timeout.Token);
        }

        const string Prefix = "agor daemon listening on ";
        if (line is null || !line.StartsWith(Prefix, StringComparison.Ordinal))
        {
            var stderr = await process.StandardError.ReadToEndAsync(cancellationToken);
            await process.WaitForExitAsync(cancellationToken);
            throw new InvalidOperationException($"the daemon did not start (exit {process.ExitCode}): {line}\n{stderr}");
        }

        var token = (await File.ReadAllTextAsync(Path.Combine(home, "api-token"), cancellationToken)).Trim();
        return new DaemonProcess(process, home, ownsHome, line[Prefix.Length..], token);
    }

    /// <summary>A fresh AGOR_HOME (0700), readable by the executor user only where the test grants it.</summary>
    public static string CreateHome() => Directory.CreateTempSubdirectory("agor-daemon-").FullName;

    public static string ConfigYaml(DaemonProcessOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var yaml = new StringBuilder();
        yaml.AppendLine("daemon:\n  host: 127.0.0.1\n  port: 0");
        foreach (var line in options.Daemon)
        {
            yaml.AppendLine("  " + line);
        }

        yaml.AppendLine("credentials:\n  anthropic:");
        if (options.ApiKey is not null)
        {
            yaml.AppendLine($"    api_key: \"{options.ApiKey}\"");
        }

        yaml.AppendLine($"    base_url: \"{options.ModelBaseUrl}\"");
        foreach (var line in options.Credentials)
        {
            yaml.AppendLine("  " + line);
        }

        yaml.AppendLine($"agents:\n  claude_code:\n    path: \"{options.ClaudePath}\"");
        foreach (var line in options.Agents)
        {
            yaml.AppendLine("  " + line);
        }

        yaml.AppendLine("execution:");
        foreach (var line in options.Execution)
        {
            yaml.AppendLine("  " + line);
        }

        if (options.Limits.Count > 0)
        {
            yaml.AppendLine("limits:");
            foreach (var line in options.Limits)
            {
                yaml.AppendLine("  " + line);
            }
        }

        if (options.Sandbox.Count > 0)
        {
            yaml.AppendLine("sandbox:");
            foreach (var line in options.Sandbox)
            {
                yaml.AppendLine("  " + line);
            }
        }

        if (options.Network.Count > 0)
        {
            yaml.AppendLine("network:");
            foreach (var line in options.Network)
            {
                yaml.AppendLine("  " + line);
            }
        }

        return yaml.ToString();
    }

    /// <summary>Creates a session; returns its JSON as the API gave it.</summary>
    public async Task<JsonElement> CreateSessionAsync(string cwd, string permissionMode = "default", string? unixUser = null)
    {
        var response = await Http.PostAsJsonAsync("/sessions", new Dictionary<string, string?> { ["cwd"] = cwd, ["permission_mode"] = permissionMode, ["unix_user"] = unixUser });
        return await ReadAsync(response, 201);
    }

    /// <summary>Submits a prompt; returns the task JSON (202).</summary>
    public async Task<JsonElement> PromptAsync(string sessionId, string prompt)
    {
        var response = await Http.PostAsJsonAsync($"/sessions/{sessionId}/prompt", new Dictionary<string, string> { ["prompt"] = prompt });
        return await ReadAsync(response, 202);
    }

    public async Task<JsonElement> GetAsync(string path) => await ReadAsync(await Http.GetAsync(path), 200);

    public async Task<JsonElement> PostAsync(string path, object? body = null) =>
        await ReadAsync(await Http.PostAsJsonAsync(path, body ?? new Dictionary<string, string>()), 200);

    /// <summary>Reads a JSON answer, failing with the body when the status is not the expected one.</summary>
    public static async Task<JsonElement> ReadAsync(HttpResponseMessage response, int expectedStatus)
    {
        ArgumentNullException.ThrowIfNull(response);
        var body = await response.Content.ReadAsStringAsync();
        if ((int)response.StatusCode != expectedStatus)
        {
            throw new InvalidOperationException($"expected {expectedStatus}, got {(int)response.StatusCode}: {body}");
        }

        return JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>Sends SIGTERM and waits for the daemon to exit on its own.</summary>
    public async Task StopAsync(TimeSpan? timeout = null)
    {
        Signals.Send(_process.Id, Signals.SigTerm);
        await Task.WhenAll(_process.WaitForExitAsync(), _logPump).WaitAsync(timeout ?? TimeSpan.FromSeconds(30));
    }

    /// <summary>SIGKILL: the daemon gets no chance to clean up (the test removes the agents' socket directory it leaves in /tmp).</summary>
    public async Task KillAsync()
    {
        _process.Kill();
        await Task.WhenAll(_process.WaitForExitAsync(), _logPump).WaitAsync(TimeSpan.FromSeconds(30));
        RemoveAgentSocketDirectory();
    }

    private void RemoveAgentSocketDirectory()
    {
        var match = System.Text.RegularExpressions.Regex.Match(Log, @"Egress proxy listening on (/tmp/agor-net-[A-Za-z0-9]+)/proxy\.sock");
        if (match.Success && Directory.Exists(match.Groups[1].Value))
        {
            Directory.Delete(match.Groups[1].Value, recursive: true);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        if (!_process.HasExited)
        {
            try
            {
                await StopAsync(TimeSpan.FromSeconds(20));
            }
            catch (TimeoutException)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
        }

        _process.Dispose();
        if (_ownsHome)
        {
            try
            {
                Directory.Delete(Home, recursive: true);
            }
            catch (IOException)
            {
                // A file the executor user created may linger; the temp directory is cleaned by the OS.
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }
}
