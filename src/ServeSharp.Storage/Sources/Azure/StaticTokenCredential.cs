using Azure.Core;

namespace ServeSharp.Storage.Sources.Azure;

/// <summary>A pre-issued bearer token (<c>AZURE_ACCESS_TOKEN</c>, expiry <c>AZURE_ACCESS_EXPIRES_ON_SECONDS</c>).</summary>
internal sealed class StaticTokenCredential : TokenCredential
{
    private readonly AccessToken _token;

    public StaticTokenCredential(string token, DateTimeOffset expiresOn)
    {
        _token = new AccessToken(token, expiresOn);
    }

    public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) => _token;

    public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) => new(_token);
}
