using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ServeSharp.Storage.Sources.Azure;

namespace ServeSharp.Storage.Sources.Gcs;

/// <summary>
/// OAuth 2.0 access tokens for GCS: a service account signs an RS256 JWT assertion and exchanges it at its
/// <c>token_uri</c> (the JWT-bearer grant); an authorized user exchanges its refresh token. Cached until shortly
/// before expiry. Without a credentials file requests are anonymous, as KServe falls back to.
/// </summary>
internal sealed class GoogleAccessTokenProvider : IDisposable
{
    private const string Scope = "https://www.googleapis.com/auth/devstorage.read_only";
    private const string DefaultTokenUri = "https://oauth2.googleapis.com/token";
    private readonly GoogleCredentialFile? _credentials;
    private readonly HttpClient _http;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private string? _token;
    private DateTimeOffset _expires;

    public GoogleAccessTokenProvider(GoogleCredentialFile? credentials, HttpClient http, TimeProvider time)
    {
        _credentials = credentials;
        _http = http;
        _time = time;
    }

    /// <summary>The bearer token, or null for anonymous access.</summary>
    public async ValueTask<string?> GetTokenAsync(CancellationToken cancellationToken)
    {
        if (_credentials is null)
        {
            return null;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_token is not null && _expires - TimeSpan.FromMinutes(5) > _time.GetUtcNow())
            {
                return _token;
            }

            var tokenUri = new Uri(_credentials.TokenUri ?? DefaultTokenUri);
            var form = _credentials.Type == "service_account"
                ? new Dictionary<string, string>
                {
                    ["grant_type"] = "urn:ietf:params:oauth:grant-type:jwt-bearer",
                    ["assertion"] = CreateAssertion(_credentials, tokenUri),
                }
                : new Dictionary<string, string>
                {
                    ["grant_type"] = "refresh_token",
                    ["client_id"] = _credentials.ClientId!,
                    ["client_secret"] = _credentials.ClientSecret!,
                    ["refresh_token"] = _credentials.RefreshToken!,
                };
            using var content = new FormUrlEncodedContent(form);
            using var response = await _http.PostAsync(tokenUri, content, cancellationToken).ConfigureAwait(false);
            var who = _credentials.ClientEmail ?? _credentials.ClientId;
            if (!response.IsSuccessStatusCode)
            {
                var status = (int)response.StatusCode;
                if (Transfer.TransientErrors.IsTransientStatus(status))
                {
                    throw new HttpRequestException($"Google token endpoint returned HTTP {status}", null, response.StatusCode);
                }

                throw new StorageException(StorageErrorKind.AccessDenied, $"Google token endpoint {tokenUri.GetLeftPart(UriPartial.Path)} refused the credentials of {who} (HTTP {status}).");
            }

            var body = await response.Content.ReadFromJsonAsync(TokenJsonContext.Default.TokenResponse, cancellationToken).ConfigureAwait(false);
            _token = body?.AccessToken is { Length: > 0 } token
                ? token
                : throw new StorageException(StorageErrorKind.AccessDenied, $"Google token endpoint {tokenUri.GetLeftPart(UriPartial.Path)} returned no access_token for {who}.");
            _expires = _time.GetUtcNow().AddSeconds(body.ExpiresIn is > 0 ? body.ExpiresIn.Value : 3600);
            return _token;
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose() => _gate.Dispose();

    private string CreateAssertion(GoogleCredentialFile credentials, Uri tokenUri)
    {
        var now = _time.GetUtcNow().ToUnixTimeSeconds();
        var header = new Dictionary<string, string> { ["alg"] = "RS256", ["typ"] = "JWT" };
        if (credentials.PrivateKeyId is { } kid)
        {
            header["kid"] = kid;
        }

        var claims = new GoogleJwtClaims(credentials.ClientEmail!, Scope, tokenUri.AbsoluteUri, now, now + 3600);
        var signingInput = Base64Url(JsonSerializer.SerializeToUtf8Bytes(header, GoogleJsonContext.Default.DictionaryStringString))
            + "." + Base64Url(JsonSerializer.SerializeToUtf8Bytes(claims, GoogleJsonContext.Default.GoogleJwtClaims));
        using var rsa = RSA.Create();
        try
        {
            rsa.ImportFromPem(credentials.PrivateKey);
        }
        catch (ArgumentException)
        {
            throw new StorageException(StorageErrorKind.Configuration, $"The private_key of Google service account {credentials.ClientEmail} is not a PEM RSA key.");
        }

        var signature = rsa.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return signingInput + "." + Base64Url(signature);
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
