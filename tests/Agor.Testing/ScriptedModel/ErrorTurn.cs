namespace Agor.Testing.ScriptedModel;

/// <summary>An HTTP error answer.</summary>
internal sealed class ErrorTurn(int statusCode, string errorType, string message) : ScriptedTurn
{
    public int StatusCode { get; } = statusCode;

    public string ErrorType { get; } = errorType;

    public string Message { get; } = message;
}
