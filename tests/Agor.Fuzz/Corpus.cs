namespace Agor.Fuzz;

/// <summary>Valid wire lines of every method, the seeds the mutator starts from.</summary>
internal static class Corpus
{
    /// <summary>What a daemon sends an executor (and its answers to the executor's requests). <c>shutdown</c> is left out: a valid one ends the run.</summary>
    public static IReadOnlyList<string> ToExecutor(string cwd) =>
    [
        """{"jsonrpc":"2.0","id":1,"method":"ping","params":{}}""",
        """{"jsonrpc":"2.0","id":2,"method":"ping"}""",
        $$$$"""{"jsonrpc":"2.0","id":3,"method":"execute_prompt","params":{"session_token":"tok","session_id":"s1","task_id":"t1","prompt":"say hi","cwd":"{{{{cwd}}}}","tools":["Read"],"permission_mode":"default","timeout_ms":60000}}""",
        """{"jsonrpc":"2.0","id":4,"method":"stop_task","params":{"session_token":"tok","task_id":"t1","reason":"fuzz"}}""",
        """{"jsonrpc":"2.0","id":5,"result":{"session_id":"s1","task_id":"t1","agent":"claude-code","agent_path":"/bin/false","permission_mode":"default","tools":[]}}""",
        """{"jsonrpc":"2.0","id":6,"result":{"api_key":"sk-test","base_url":"http://127.0.0.1:9"}}""",
        """{"jsonrpc":"2.0","id":7,"result":{"approved":false,"reason":"fuzz"}}""",
        """{"jsonrpc":"2.0","id":8,"error":{"code":-32001,"message":"invalid token"}}""",
        """[{"jsonrpc":"2.0","id":9,"method":"ping"},{"jsonrpc":"2.0","method":"ping"}]""",
    ];

    /// <summary>What an executor sends the daemon, with the task's real token and id. <c>report_completion</c> is left out: a valid one ends the task.</summary>
    public static IReadOnlyList<string> ToDaemon(string token, string taskId) =>
    [
        $$$$"""{"jsonrpc":"2.0","id":1,"method":"get_execution_context","params":{"session_token":"{{{{token}}}}"}}""",
        $$$$"""{"jsonrpc":"2.0","id":2,"method":"get_api_key","params":{"session_token":"{{{{token}}}}","service":"anthropic"}}""",
        $$$$"""{"jsonrpc":"2.0","id":3,"method":"request_permission","params":{"session_token":"{{{{token}}}}","task_id":"{{{{taskId}}}}","tool_name":"Bash","tool_input":{"command":"ls"},"tool_use_id":"tu1"}}""",
        $$$$"""{"jsonrpc":"2.0","method":"report_message","params":{"session_token":"{{{{token}}}}","task_id":"{{{{taskId}}}}","sequence":1,"timestamp":1700000000000,"event_type":"content_block_delta","event_data":{"type":"text_delta","text":"hi"}}}""",
        $$$$"""{"jsonrpc":"2.0","method":"report_message","params":{"session_token":"{{{{token}}}}","task_id":"{{{{taskId}}}}","sequence":2,"timestamp":1700000000000,"event_type":"assistant_message","event_data":{"content":[{"type":"text","text":"hello"}]}}}""",
        $$$$"""{"jsonrpc":"2.0","method":"report_progress","params":{"session_token":"{{{{token}}}}","task_id":"{{{{taskId}}}}","progress":{"message":"working","percent":50}}}""",
        $$$$"""{"jsonrpc":"2.0","method":"report_error","params":{"session_token":"{{{{token}}}}","task_id":"{{{{taskId}}}}","error":{"code":"fuzz","message":"non-fatal"}}}""",
        """{"jsonrpc":"2.0","id":1,"result":{"pong":true,"timestamp":1,"pid":1,"uid":0,"user":"root"}}""",
        """{"jsonrpc":"2.0","id":2,"result":{"accepted":true}}""",
        """{"jsonrpc":"2.0","id":3,"error":{"code":-32603,"message":"x"}}""",
    ];
}
