using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ServeSharp.Local.Store;

namespace ServeSharp.Cli.Platform;

/// <summary>A small client of the daemon's Kubernetes-shaped API; errors become <see cref="ApiError"/> with kubectl-style text.</summary>
internal sealed class ControlApiClient(Uri server) : IDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = server, Timeout = TimeSpan.FromSeconds(30) };

    public static string Path(ResourceType type, string ns, string? name = null)
    {
        var path = type.Namespaced
            ? $"/apis/{type.Group}/{type.Version}/namespaces/{Uri.EscapeDataString(ns)}/{type.Plural}"
            : $"/apis/{type.Group}/{type.Version}/{type.Plural}";
        return name is null ? path : $"{path}/{Uri.EscapeDataString(name)}";
    }

    public Task<JsonObject> GetAsync(string path, CancellationToken cancellationToken) => SendAsync(HttpMethod.Get, path, null, null, cancellationToken);

    public Task<JsonObject> DeleteAsync(string path, CancellationToken cancellationToken) => SendAsync(HttpMethod.Delete, path, null, null, cancellationToken);

    public Task<JsonObject> CreateAsync(string path, JsonNode body, CancellationToken cancellationToken) => SendAsync(HttpMethod.Post, path, body, "application/json", cancellationToken);

    public Task<JsonObject> ReplaceAsync(string path, JsonNode body, CancellationToken cancellationToken) => SendAsync(HttpMethod.Put, path, body, "application/json", cancellationToken);

    public Task<JsonObject> MergePatchAsync(string path, JsonNode body, CancellationToken cancellationToken) => SendAsync(HttpMethod.Patch, path, body, "application/merge-patch+json", cancellationToken);

    public void Dispose() => _http.Dispose();

    private async Task<JsonObject> SendAsync(HttpMethod method, string path, JsonNode? body, string? mediaType, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue(mediaType!);
        }

        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e) when (e.InnerException is SocketException || e.HttpRequestError == HttpRequestError.ConnectionError)
        {
            throw new ApiError($"cannot reach the ServeSharp control API at {_http.BaseAddress}: is `servesharp up` running? (set --server or SERVESHARP_SERVER)");
        }

        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            JsonObject? json = null;
            try
            {
                json = JsonNode.Parse(text) as JsonObject;
            }
            catch (JsonException)
            {
                // Not JSON: reported below.
            }

            if (response.IsSuccessStatusCode && json is not null)
            {
                return json;
            }

            if (json is not null && (string?)json["kind"] == "Status")
            {
                throw new ApiError($"Error from server ({(string?)json["reason"]}): {(string?)json["message"]}");
            }

            throw new ApiError($"Error from server ({(int)response.StatusCode} {response.ReasonPhrase}): {text}");
        }
    }
}
