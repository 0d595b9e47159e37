using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http;

namespace Agor.Daemon.Api;

/// <summary>Reads a JSON request body, turning every way it can be wrong into a 400 that says why.</summary>
internal static class JsonBody
{
    public static async Task<(T? Value, IResult? Problem)> ReadAsync<T>(HttpRequest request, JsonTypeInfo<T> type, CancellationToken cancellationToken)
        where T : class
    {
        if (!(request.ContentType?.StartsWith("application/json", StringComparison.OrdinalIgnoreCase) ?? false))
        {
            return (null, Problems.BadBody("The body must be JSON (Content-Type: application/json)."));
        }

        try
        {
            var value = await JsonSerializer.DeserializeAsync(request.Body, type, cancellationToken);
            return value is null ? (null, Problems.BadBody("The body must be a JSON object.")) : (value, null);
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            // Kestrel stops reading at daemon.max_request_body_bytes, before the body grows the daemon's memory.
            return (null, Problems.TooLarge("The request body is larger than the daemon accepts (daemon.max_request_body_bytes)."));
        }
        catch (JsonException ex)
        {
            var where = ex.Path is { Length: > 2 } path ? $" at '{path[2..]}'" : string.Empty;
            return (null, Problems.BadBody($"The body is not valid JSON for this request{where}."));
        }
    }
}
