using System.Net.Http.Json;
using System.Text.Json.Serialization;
using Azure.Core;

namespace ServeSharp.Storage.Sources.Azure;

/// <summary>
/// A service principal's token from Microsoft Entra ID by the OAuth 2.0 client-credentials grant
/// (<c>AZURE_TENANT_ID</c>, <c>AZURE_CLIENT_ID</c>, <c>AZURE_CLIENT_SECRET</c>; authority from <c>AZURE_AUTHORITY_HOST</c>).
/// Written here because Azure.Identity is not among the project's packages; tokens are cached until shortly before expiry.
/// </summary>
internal sealed class ClientSecretTokenCredential : TokenCredential
{
    private readonly Uri _tokenEndpoint;
    private readonly string _clientId;
    private readonly string _clientSecret;
    private readonly HttpClient _http;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private AccessToken? _cached;

    public ClientSecretTokenCredential(Uri authorityHost, string tenantId, string clientId, string clientSecret, HttpClient http, TimeProvider time)
    {
        _tokenEndpoint = new Uri(authorityHost, $"{Uri.EscapeDataString(tenantId)}/oauth2/v2.0/token");
        _clientId = clientId;
        _clientSecret = clientSecret;
        _http = http;
        _time = time;
    }

    public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
        GetTokenAsync(requestContext, cancellationToken).AsTask().GetAwaiter().GetResult();

    public override async ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_cached is { } cached && cached.ExpiresOn - TimeSpan.FromMinutes(5) > _time.GetUtcNow())
            {
                return cached;
            }

            using var form = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "client_credentials",
                ["client_id"] = _clientId,
                ["client_secret"] = _clientSecret,
                ["scope"] = string.Join(' ', requestContext.Scopes),
            });
            using var response = await _http.PostAsync(_tokenEndpoint, form, cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                // The error body may echo request data; only the status is reported.
                throw new StorageException(
                    StorageErrorKind.AccessDenied,
                    $"Azure service principal {_clientId} could not get a token from {_tokenEndpoint.GetLeftPart(UriPartial.Path)} (HTTP {(int)response.StatusCode}).");
            }

            var body = await response.Content.ReadFromJsonAsync(TokenJsonContext.Default.TokenResponse, cancellationToken).ConfigureAwait(false);
            if (body?.AccessToken is not { Length: > 0 } token)
            {
                throw new StorageException(StorageErrorKind.AccessDenied, $"Azure token endpoint {_tokenEndpoint.GetLeftPart(UriPartial.Path)} returned no access_token.");
            }

            _cached = new AccessToken(token, _time.GetUtcNow().AddSeconds(body.ExpiresIn is > 0 ? body.ExpiresIn.Value : 3600));
            return _cached.Value;
        }
        finally
        {
            _gate.Release();
        }
    }
}

/// <summary>An OAuth 2.0 token response.</summary>
internal sealed class TokenResponse
{
    [JsonPropertyName("access_token")]
    public string? AccessToken { get; set; }

    [JsonPropertyName("expires_in")]
    [JsonNumberHandling(JsonNumberHandling.AllowReadingFromString)]
    public long? ExpiresIn { get; set; }
}

[JsonSerializable(typeof(TokenResponse))]
internal sealed partial class TokenJsonContext : JsonSerializerContext;
