using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace ServeSharp.Storage.Tests.Fixtures;

/// <summary>
/// A Kestrel stand-in for the GCS JSON API (objects.list with paging, objects.get metadata and media) and for
/// Google's OAuth token endpoint, which verifies service-account JWT assertions with the test's RSA public key.
/// Bucket <c>private</c> requires the issued token; bucket <c>models</c> is public.
/// </summary>
public sealed class FakeGcs : IAsyncDisposable
{
    public const string ServiceAccount = "loader@servesharp-test.iam.gserviceaccount.com";
    public const string IssuedToken = "ya29.fake-access-token";
    private readonly ConcurrentDictionary<string, byte[]> _objects = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _fakeMd5 = new(StringComparer.Ordinal);
    private FakeServer _server = null!;

    private FakeGcs(RSA key)
    {
        Key = key;
    }

    /// <summary>The service account's key pair.</summary>
    public RSA Key { get; }

    public Uri Endpoint => _server.BaseUri;

    public int TokensIssued;

    public int DropAttempts;

    public static async Task<FakeGcs> StartAsync()
    {
        var gcs = new FakeGcs(RSA.Create(2048));
        gcs._server = await FakeServer.StartAsync(app => app.Run(gcs.HandleAsync));
        return gcs;
    }

    public void Put(string bucket, string name, byte[] content) => _objects[bucket + "/" + name] = content;

    public void Put(string bucket, string name, string content) => Put(bucket, name, Encoding.UTF8.GetBytes(content));

    /// <summary>Announces a wrong MD5 for an object (corruption in transit or at rest).</summary>
    public void CorruptMd5(string bucket, string name) => _fakeMd5[bucket + "/" + name] = Convert.ToBase64String(MD5.HashData("other"u8));

    /// <summary>A credentials file for the service account, signed with <paramref name="key"/> (default: the trusted key).</summary>
    public string WriteCredentials(string directory, RSA? key = null)
    {
        var path = Path.Combine(directory, "gcloud-application-credentials.json");
        File.WriteAllText(path, JsonSerializer.Serialize(new Dictionary<string, string>
        {
            ["type"] = "service_account",
            ["project_id"] = "servesharp-test",
            ["private_key_id"] = "k1",
            ["private_key"] = (key ?? Key).ExportPkcs8PrivateKeyPem(),
            ["client_email"] = ServiceAccount,
            ["token_uri"] = new Uri(Endpoint, "token").AbsoluteUri,
        }));
        return path;
    }

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        Key.Dispose();
    }

    private async Task HandleAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? string.Empty;
        if (path == "/token" && HttpMethods.IsPost(context.Request.Method))
        {
            await TokenAsync(context);
            return;
        }

        const string prefix = "/storage/v1/b/";
        if (!path.StartsWith(prefix, StringComparison.Ordinal))
        {
            context.Response.StatusCode = 404;
            return;
        }

        var rest = path[prefix.Length..];
        var bucket = rest[..rest.IndexOf('/', StringComparison.Ordinal)];
        if (bucket == "private" && context.Request.Headers.Authorization != "Bearer " + IssuedToken)
        {
            await ErrorAsync(context, 401, "Anonymous caller does not have storage.objects.list access to the Google Cloud Storage bucket.");
            return;
        }

        if (!_objects.Keys.Any(k => k.StartsWith(bucket + "/", StringComparison.Ordinal)))
        {
            await ErrorAsync(context, 404, "The specified bucket does not exist.");
            return;
        }

        var objectPart = rest[(bucket.Length + 1)..];
        if (objectPart == "o")
        {
            await ListAsync(context, bucket);
            return;
        }

        var name = Uri.UnescapeDataString(objectPart["o/".Length..]);
        if (!_objects.TryGetValue(bucket + "/" + name, out var content))
        {
            await ErrorAsync(context, 404, "No such object: " + bucket + "/" + name);
            return;
        }

        if (context.Request.Query["alt"] == "media")
        {
            context.Response.ContentType = "application/octet-stream";
            context.Response.ContentLength = content.Length;
            if (name.StartsWith("drop/", StringComparison.Ordinal))
            {
                Interlocked.Increment(ref DropAttempts);
                await context.Response.Body.WriteAsync(content.AsMemory(0, content.Length / 2));
                await context.Response.Body.FlushAsync();
                context.Abort();
                return;
            }

            await context.Response.Body.WriteAsync(content);
            return;
        }

        await context.Response.WriteAsJsonAsync(Describe(bucket, name, content));
    }

    private async Task ListAsync(HttpContext context, string bucket)
    {
        var prefix = context.Request.Query["prefix"].ToString();
        var matching = _objects.Where(o => o.Key.StartsWith(bucket + "/" + prefix, StringComparison.Ordinal)).OrderBy(o => o.Key, StringComparer.Ordinal).ToArray();
        var start = int.TryParse(context.Request.Query["pageToken"], CultureInfo.InvariantCulture, out var token) ? token : 0;
        var page = matching.Skip(start).Take(2).Select(o => Describe(bucket, o.Key[(bucket.Length + 1)..], o.Value)).ToArray();
        var body = new Dictionary<string, object> { ["kind"] = "storage#objects", ["items"] = page };
        if (start + 2 < matching.Length)
        {
            body["nextPageToken"] = (start + 2).ToString(CultureInfo.InvariantCulture);
        }

        await context.Response.WriteAsJsonAsync(body);
    }

    private Dictionary<string, string> Describe(string bucket, string name, byte[] content) => new()
    {
        ["name"] = name,
        ["bucket"] = bucket,
        ["size"] = content.Length.ToString(CultureInfo.InvariantCulture),
        ["md5Hash"] = _fakeMd5.TryGetValue(bucket + "/" + name, out var fake) ? fake : Convert.ToBase64String(MD5.HashData(content)),
        ["generation"] = "1700000000000001",
    };

    private async Task TokenAsync(HttpContext context)
    {
        var form = await context.Request.ReadFormAsync();
        var assertion = form["assertion"].ToString().Split('.');
        if (form["grant_type"] != "urn:ietf:params:oauth:grant-type:jwt-bearer" || assertion.Length != 3)
        {
            await ErrorAsync(context, 400, "invalid_grant");
            return;
        }

        var valid = Key.VerifyData(
            Encoding.ASCII.GetBytes(assertion[0] + "." + assertion[1]),
            FromBase64Url(assertion[2]),
            HashAlgorithmName.SHA256,
            RSASignaturePadding.Pkcs1);
        using var claims = JsonDocument.Parse(FromBase64Url(assertion[1]));
        var root = claims.RootElement;
        if (!valid
            || root.GetProperty("iss").GetString() != ServiceAccount
            || root.GetProperty("aud").GetString() != new Uri(Endpoint, "token").AbsoluteUri
            || root.GetProperty("scope").GetString() != "https://www.googleapis.com/auth/devstorage.read_only")
        {
            context.Response.StatusCode = 400;
            await context.Response.WriteAsJsonAsync(new { error = "invalid_grant", error_description = "Invalid JWT Signature." });
            return;
        }

        Interlocked.Increment(ref TokensIssued);
        await context.Response.WriteAsJsonAsync(new { access_token = IssuedToken, expires_in = 3599, token_type = "Bearer" });
    }

    private static byte[] FromBase64Url(string value)
    {
        var padded = value.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(padded.PadRight(padded.Length + ((4 - (padded.Length % 4)) % 4), '='));
    }

    private static async Task ErrorAsync(HttpContext context, int status, string message)
    {
        context.Response.StatusCode = status;
        await context.Response.WriteAsJsonAsync(new { error = new { code = status, message } });
    }
}
