using System.Text.Json.Serialization;

namespace ServeSharp.Storage.Sources.Gcs;

/// <summary>The claim set of a service account's token-request JWT (Google OAuth 2.0 for server-to-server applications).</summary>
internal sealed record GoogleJwtClaims(
    [property: JsonPropertyName("iss")] string Issuer,
    [property: JsonPropertyName("scope")] string Scope,
    [property: JsonPropertyName("aud")] string Audience,
    [property: JsonPropertyName("iat")] long IssuedAt,
    [property: JsonPropertyName("exp")] long Expires);
