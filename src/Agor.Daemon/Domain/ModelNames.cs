namespace Agor.Daemon.Domain;

/// <summary>
/// What a model name may be, for a session's and a prompt's <c>model</c>. The name reaches the
/// agent's command line (<c>--model NAME</c>), so it is held to the characters model names use
/// and may not start with a dash, which an agent would read as an option of its own.
/// </summary>
internal static class ModelNames
{
    public const int MaxLength = 128;

    /// <summary>Why <paramref name="model"/> is not a model name, or null when it is one.</summary>
    public static string? Problem(string model)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (model.Length is 0 or > MaxLength)
        {
            return $"must be 1 to {MaxLength} characters long";
        }

        if (model[0] == '-' || !model.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' or ':' or '@' or '/'))
        {
            return "must be a model name: letters, digits and . - _ : @ /, not starting with -";
        }

        return null;
    }
}
