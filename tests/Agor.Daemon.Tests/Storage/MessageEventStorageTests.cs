using Agor.Daemon.Domain;
using Microsoft.Data.Sqlite;

namespace Agor.Daemon.Tests.Storage;

/// <summary>A message's data is stored once: its <c>message.created</c> event refers to it and is whole again when replayed.</summary>
public sealed class MessageEventStorageTests : StoreFixture
{
    [Fact]
    public async Task MessageCreatedEvent_StoresNoCopyOfTheEventData_AndReplaysWhole()
    {
        await CreateTaskAsync("ses_1", "tsk_1");
        var blob = new string('x', 100_000);
        var message = await Store.Messages.AppendAsync(new StoredMessage
        {
            SessionId = "ses_1",
            TaskId = "tsk_1",
            TaskSequence = 1,
            EventType = "assistant_message",
            EventData = $$"""{"blob":"{{blob}}"}""",
            Timestamp = T0,
        });
        var data = $$"""{"sequence":{{message.Sequence}},"session_id":"ses_1","task_id":"tsk_1","event_type":"assistant_message","event_data":{"blob":"{{blob}}"},"timestamp":"2025-03-04T05:06:07+00:00"}""";

        var stored = await Store.Events.AppendAsync(new StoredEvent { Type = "message.created", SessionId = "ses_1", Data = data, Time = T0 });

        Assert.True(await StoredEventBytesAsync(stored.Id) < 1000, "the events row holds a reference, not the data");
        var replayed = Assert.Single(await Store.Events.ListAfterAsync(0, "ses_1", 10));
        using var expected = System.Text.Json.JsonDocument.Parse(data);
        using var actual = System.Text.Json.JsonDocument.Parse(replayed.Data);
        Assert.True(System.Text.Json.JsonElement.DeepEquals(expected.RootElement, actual.RootElement), replayed.Data[..200]);
    }

    [Fact]
    public async Task OtherEvents_AreStoredAsTheyAre()
    {
        var stored = await Store.Events.AppendAsync(new StoredEvent { Type = "task.updated", SessionId = "ses_1", Data = """{"event_data":1,"sequence":2}""", Time = T0 });

        Assert.Equal("""{"event_data":1,"sequence":2}""", Assert.Single(await Store.Events.ListAfterAsync(0, null, 10)).Data);
        Assert.Equal(stored, Assert.Single(await Store.Events.ListAfterAsync(0, "ses_1", 10)));
    }

    private async Task<long> StoredEventBytesAsync(long id)
    {
        await using var connection = new SqliteConnection($"Data Source={DatabasePath};Mode=ReadOnly");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT length(data) FROM events WHERE id = $id";
        command.Parameters.AddWithValue("$id", id);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
