namespace Agor.Daemon.Hosting;

/// <summary>The commented config.yaml written on first start: every key, at its default.</summary>
internal static class ConfigTemplate
{
    public const string Text = """
        # Agor configuration. Every key is shown with its default; uncomment to change.
        # Environment overrides: AGOR_HOME, AGOR_PORT, AGOR_EXECUTOR_PATH, AGOR_CLAUDE_PATH,
        # and ANTHROPIC_API_KEY / ANTHROPIC_BASE_URL where no anthropic credentials are set here.

        daemon:
          host: 127.0.0.1            # loopback only, unless you mean it
          port: 3030

        database:
          path: agor.db              # relative to this directory

        # credentials:
        #   anthropic:
        #     api_key: "sk-ant-..."
        #     base_url: "https://api.anthropic.com"

        agents:
          claude_code:
            path: claude

        execution:
          run_as_unix_user: false          # true: executors run via sudo as another Unix user (see `agor setup-executor-isolation`)
          executor_unix_user: agor_executor
          max_executors: 10                # more tasks wait in the queue
          warm_executors: 0                # started ahead of need; each executor still serves one task only
          idle_timeout_ms: 60000
          socket_path_template: /tmp/agor-executor-{id}.sock
          connection_timeout_ms: 5000
          session_token_expiration_ms: 86400000
          session_token_max_uses: 10000
          permission_timeout_ms: 300000
          executor_path: ""                # default: the agor-executor shipped beside agor
          shutdown_grace_ms: 3000
          max_line_bytes: 8388608
          max_requests_in_flight: 1024     # IPC requests handled at once, each side; beyond: -32004
          max_batch_size: 256              # elements of one IPC batch, each side; beyond: one -32600

        """;
}
