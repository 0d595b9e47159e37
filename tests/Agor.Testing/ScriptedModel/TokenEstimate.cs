namespace Agor.Testing.ScriptedModel;

/// <summary>Rough token counts for usage fields: about four characters a token. Clients only sum them for cost displays.</summary>
internal static class TokenEstimate
{
    public static int Input(string bodyText) => Math.Max(1, bodyText.Length / 4);

    public static int Output(MessageTurn turn)
    {
        var characters = 0;
        foreach (var block in turn.Blocks)
        {
            characters += block switch
            {
                TextBlock text => text.FullText.Length,
                ToolUseBlock toolUse => toolUse.Name.Length + toolUse.InputJson.Length,
                _ => 0,
            };
        }

        return Math.Max(1, characters / 4);
    }
}
