using System.Text.Json;

namespace Agor.Cli.Client;

/// <summary>A successful answer of the API: the body as sent (for <c>--json</c>) and parsed.</summary>
internal sealed record ApiResponse(string Raw, JsonElement Json);
