namespace Agor.Protocol.JsonRpc;

/// <summary>
/// Params that check what their types cannot say (a range, a value that must be present). The
/// peer calls <see cref="Validate"/> after decoding and before any handler runs.
/// </summary>
public interface IValidatedParams
{
    /// <summary>Null when the params are valid; otherwise the problem, naming the JSON member (for example <c>'timeout_ms' must be between 0 and 2147483647</c>).</summary>
    string? Validate();
}
