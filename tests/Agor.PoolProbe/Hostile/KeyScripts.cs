using System.Text.Json;
using System.Text.Json.Nodes;

namespace Agor.PoolProbe.Hostile;

/// <summary>An executor that asks for every service's key, whatever its agent needs, to see what the daemon hands out.</summary>
internal static class KeyScripts
{
    /// <summary>The execution context (recorded as <c>context</c>), then get_api_key for anthropic, openai, google and a service the daemon does not know; each answer recorded whole as <c>key_SERVICE</c>.</summary>
    public static async Task EveryServiceAsync(HostileContext context, JsonElement? id)
    {
        await context.Connection.AnswerAsync(id, new JsonObject { ["accepted"] = true });
        context.Record.Write("context", await context.Connection.CallForAnswerAsync("get_execution_context", new JsonObject { ["session_token"] = context.Token }));
        foreach (var service in new[] { "anthropic", "openai", "google", "aws" })
        {
            context.Record.Write($"key_{service}", await context.Connection.CallForAnswerAsync("get_api_key", new JsonObject { ["session_token"] = context.Token, ["service"] = service }));
        }

        context.Record.Write("completion", await context.CompleteAsync());
    }
}
