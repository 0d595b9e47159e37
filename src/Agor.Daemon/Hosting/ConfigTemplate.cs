namespace Agor.Daemon.Hosting;

/// <summary>The config.yaml written on first start: every key in force at its default, each saying what it does.</summary>
internal static class ConfigTemplate
{
    public const string Text = """
        # Agor configuration. Every key below is in force, set to its default: change a value in place,
        # or delete the line to go back to the default. Only `credentials:` is commented out (there is no
        # default key): remove the leading "# " of its lines and fill in your key.
        # The daemon reads this file when it starts. `agor doctor` checks it and the machine.
        # Environment overrides: AGOR_HOME (this directory), AGOR_PORT (daemon.port), AGOR_EXECUTOR_PATH
        # (execution.executor_path), AGOR_CLAUDE_PATH (agents.claude_code.path), AGOR_CODEX_PATH
        # (agents.codex.path), AGOR_GEMINI_PATH (agents.gemini.path), and, for a service with no credentials
        # here: ANTHROPIC_API_KEY / ANTHROPIC_BASE_URL, OPENAI_API_KEY / OPENAI_BASE_URL, GEMINI_API_KEY /
        # GOOGLE_GEMINI_BASE_URL.

        daemon:
          host: 127.0.0.1            # where the HTTP API and the web page listen; loopback only, unless you mean it
          port: 3030                 # 0: a free one, chosen at start
          sse_client_queue_events: 4096     # an event stream client further behind is dropped (it resumes with Last-Event-ID)
          sse_client_queue_bytes: 8388608   # ... or this many bytes behind
          max_request_body_bytes: 16777216  # larger request bodies get 413
          max_title_length: 512             # characters of a session title
          list_limit_default: 100           # items per page of a listing without ?limit=
          list_limit_max: 1000              # the largest ?limit= of a listing

        database:
          path: agor.db              # relative to this directory

        # The keys the daemon's model gateway uses for the agents' model requests; agents only ever see a
        # per-task placeholder good for their own service. Claude Code uses anthropic, Codex openai, Gemini google;
        # set only those you use (an agent whose service has no key cannot run).
        # credentials:
        #   anthropic:
        #     api_key: "sk-ant-..."
        #     base_url: "https://api.anthropic.com"   # optional: another endpoint speaking the Anthropic Messages API
        #   openai:
        #     api_key: "sk-..."
        #     base_url: "https://api.openai.com"      # optional: another endpoint speaking the Responses API (no /v1)
        #   google:
        #     api_key: "AIza..."
        #     base_url: "https://generativelanguage.googleapis.com"   # optional: another Gemini API endpoint (no /v1beta)

        agents:
          claude_code:
            path: claude                   # the Claude Code CLI: a name looked up on PATH, or a full path
          codex:
            path: codex                    # the Codex CLI (sessions with agent: codex)
          gemini:
            path: gemini                   # the Gemini CLI (sessions with agent: gemini)

        execution:
          run_as_unix_user: false          # true: executors run via sudo as another Unix user (see `agor setup-executor-isolation`)
          executor_unix_user: agor_executor  # the user executors run as with run_as_unix_user
          allowed_unix_users: []           # users a session may name in unix_user besides the executor user; never root
          agent_umask: "022"               # the agent's umask (octal); the executor keeps 077 for its own files
          max_executors: 10                # more tasks wait in the queue
          warm_executors: 0                # started ahead of need; each executor still serves one task only
          idle_timeout_ms: 60000           # a warm executor unused this long is stopped
          socket_path_template: /tmp/agor-executor-{id}.sock   # where each executor listens; {id} is random
          connection_timeout_ms: 5000      # an executor that does not connect within this fails to start
          session_token_expiration_ms: 86400000  # how long an executor's token for its task is valid
          session_token_max_uses: 10000    # requests one such token may make
          permission_timeout_ms: 300000    # a permission question nobody answers in this time is denied
          executor_path: ""                # default: the agor-executor shipped beside agor
          shutdown_grace_ms: 3000          # when stopping an executor: for its shutdown answer, then again after SIGTERM
          max_line_bytes: 8388608          # the longest IPC message; a longer one closes the connection
          request_timeout_ms: 10000        # execute_prompt, stop_task and heartbeat pings get no longer to answer
          stop_grace_ms: 5000              # a stopped task's executor is killed if it has not reported by then
          task_timeout_ms: 14400000        # 4 h; 0: no limit (enforced by the executor and the daemon)
          heartbeat_interval_ms: 10000     # a running executor that does not answer a ping fails its task; 0: off
          max_requests_in_flight: 1024     # IPC requests handled at once, each side; beyond: -32004
          max_batch_size: 256              # elements of one IPC batch, each side; beyond: one -32600

        limits:
          max_messages_per_task: 100000    # past it the task fails (limit_exceeded)
          max_event_bytes: 4194304         # a larger event is dropped, the task goes on
          max_stored_bytes_per_task: 268435456
          max_cost_usd_per_task: 0         # US dollars a task may spend, measured at the model gateway; past it: budget_exceeded; 0: no cap
          max_cost_usd_per_session: 0      # the same for all of a session's tasks together; 0: no cap

        sandbox:
          mode: auto                       # auto: confined where this machine allows, loudly unconfined where not; required: refuse unconfined tasks; off
          bwrap_path: bwrap                # bubblewrap (Debian package bubblewrap)
          memory_max: "4G"                 # per task, kernel-enforced (cgroup); "": none
          pids_max: 512                    # processes and threads per task; 0: none
          cpu_max: ""                      # "200%": two CPUs; "": none
          read_only: []                    # extra absolute paths visible read-only to the agent
          read_write: []                   # extra absolute paths writable by the agent
          deny: []                         # absolute paths hidden from the agent (AGOR_HOME always is)
          agent_homes: ""                  # per-session homes; "": $AGOR_HOME/agent-homes, or ~/.agor/agent-homes of the executor user with run_as_unix_user
          home_template: ""                # copied into each new agent home; "": $AGOR_HOME/agent-home-template when it exists

        network:
          # A sandboxed agent has no network of its own: only the model gateway (ANTHROPIC_BASE_URL) and
          # the egress proxy (HTTP_PROXY/HTTPS_PROXY/ALL_PROXY), reached over Unix sockets.
          gateway_port: 0                  # the gateway's loopback port for unconfined agents (sandbox off); 0: a free one
          gateway_max_request_bytes: 33554432  # a larger model request gets 413
          proxy_port: 0                    # the proxy's loopback port for unconfined agents; 0: a free one
          allowed_hosts: []                # what the proxy lets through: host, host:port, *.example.com, an IP or CIDR (optional :port); see docs/SECURITY.md
          max_head_bytes: 16384            # a larger request head gets 431
          max_connections_per_task: 64     # one more gets 429
          max_connections: 512             # across tasks
          idle_timeout_ms: 60000           # a proxied connection quiet this long is closed
          connect_timeout_ms: 10000        # to reach an allowed host

        """;
}
