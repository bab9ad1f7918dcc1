using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace ServeSharp.Server.Tests.Rest;

internal static class HttpTestExtensions
{
    public static async Task<(HttpStatusCode Status, string Body, HttpResponseMessage Response)> PostJsonAsync(
        this HttpClient http, string path, string json)
    {
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        var response = await http.PostAsync(path, content);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(), response);
    }

    /// <summary>Posts <paramref name="json"/>'s UTF-8 with each <c>¤</c> replaced by the byte 0xFF, which UTF-8 never uses.</summary>
    public static async Task<(HttpStatusCode Status, string Body)> PostNotUtf8Async(
        this HttpClient http, string path, string json, string contentType = "application/json")
    {
        byte[] body = [.. json.Split('¤').Select(Encoding.UTF8.GetBytes).Aggregate((a, b) => [.. a, 0xFF, .. b])];
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        var response = await http.PostAsync(path, content);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    public static async Task<(HttpStatusCode Status, string Body)> GetStringAsync2(this HttpClient http, string path)
    {
        var response = await http.GetAsync(path);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    public static async Task<(HttpStatusCode Status, byte[] Body, HttpResponseMessage Response)> PostBinaryAsync(
        this HttpClient http, string path, byte[] json, byte[] binary)
    {
        var body = json.Concat(binary).ToArray();
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        content.Headers.Add("Inference-Header-Content-Length", json.Length.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var response = await http.PostAsync(path, content);
        return (response.StatusCode, await response.Content.ReadAsByteArrayAsync(), response);
    }

    public static string Error(string body)
    {
        using var doc = JsonDocument.Parse(body);
        return doc.RootElement.GetProperty("error").GetString()!;
    }
}
