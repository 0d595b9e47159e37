using System.Net;
using System.Net.Http.Json;
using Agor.Testing.Daemon;

namespace Agor.Daemon.Tests.Api;

/// <summary>The model chosen per prompt, over the session's, as the model server sees it; and names that are not models.</summary>
public sealed class PromptModelTests
{
    [SkippableFact(Timeout = 120_000)]
    public async Task APromptsModel_ReachesTheModel_AndTheNextPromptFallsBackToTheSessions()
    {
        await using var h = await DaemonHarness.StartAsync();
        h.Model.Script.EnqueueText("From the prompt's model.").EnqueueText("From the session's model.");
        var session = (await DaemonProcess.ReadAsync(await h.Daemon.Http.PostAsJsonAsync("/sessions", new { cwd = h.WorkingDirectory, model = "claude-sonnet-4-5" }), 201)).GetProperty("id").GetString()!;

        var chosen = await DaemonProcess.ReadAsync(await h.Daemon.Http.PostAsJsonAsync($"/sessions/{session}/prompt", new { prompt = "One", model = "claude-haiku-4-5" }), 202);
        await h.WaitForTaskEndAsync(chosen.GetProperty("id").GetString()!);
        var fallback = await h.PromptAsync(session, "Two");
        var second = await h.WaitForTaskEndAsync(fallback);

        Assert.Equal("claude-haiku-4-5", chosen.GetProperty("model").GetString());
        Assert.Equal("claude-sonnet-4-5", second.GetProperty("model").GetString());
        // The second request carries the first as history: each is told apart by its last user text.
        Assert.Equal(["claude-haiku-4-5", "claude-sonnet-4-5"], h.Model.ConversationRequests.OrderBy(r => r.Sequence).Select(r => r.Model));
        Assert.Equal(["One", "Two"], h.Model.ConversationRequests.OrderBy(r => r.Sequence).Select(r => r.UserTexts[^1]));
    }

    [SkippableTheory(Timeout = 60_000)]
    [InlineData("--dangerously-skip-permissions")]
    [InlineData("claude opus")]
    [InlineData("model\n--print")]
    [InlineData("")]
    public async Task ANameThatIsNotAModel_IsRefusedBeforeAnyTaskExists(string model)
    {
        await using var h = await DaemonHarness.StartAsync();
        var session = await h.CreateSessionAsync();

        var prompt = await h.Daemon.Http.PostAsJsonAsync($"/sessions/{session}/prompt", new { prompt = "Hi", model });
        var create = await h.Daemon.Http.PostAsJsonAsync("/sessions", new { cwd = h.WorkingDirectory, model });

        Assert.Equal(HttpStatusCode.BadRequest, prompt.StatusCode);
        Assert.Contains("model", await prompt.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, create.StatusCode);
        Assert.Empty((await h.Daemon.GetAsync($"/sessions/{session}/tasks")).EnumerateArray());
        Assert.Empty(h.Model.ConversationRequests);
    }
}
