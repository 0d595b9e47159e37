using System.Text.Json.Serialization;

namespace Agor.Daemon.Api;

/// <summary>The answer of <c>POST /auth/login-link</c>: the one-time link and how long it lasts.</summary>
internal sealed record LoginLinkView(string Url, int ExpiresInSeconds);

/// <summary>Source-generated JSON of the sign-in endpoints, snake_case like the rest of the API.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(LoginLinkView))]
internal sealed partial class WebJsonContext : JsonSerializerContext;
