using System.Text.Json;

namespace Agor.Cli.Client;

/// <summary>
/// A successful answer of the API: the body as sent (for <c>--json</c>) and parsed, and the
/// <c>Next-Cursor</c> header of a paged listing that has more (null on its last page).
/// </summary>
internal sealed record ApiResponse(string Raw, JsonElement Json, string? NextCursor = null);
