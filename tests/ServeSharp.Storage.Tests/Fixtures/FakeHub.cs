using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace ServeSharp.Storage.Tests.Fixtures;

/// <summary>
/// A Kestrel stand-in for the Hugging Face Hub: <c>/api/models/{repo}/revision/{rev}</c> resolves a revision to a
/// commit and lists its files (LFS files with size and SHA-256); <c>/{repo}/resolve/{commit}/{path}</c> serves
/// them and only answers for resolved commits. <c>acme/private</c> needs the bearer token.
/// </summary>
public sealed class FakeHub : IAsyncDisposable
{
    public const string Token = "hf_fakeTokenValue123";
    public const string MainCommit = "1111111111111111111111111111111111111111";
    public const string V1Commit = "2222222222222222222222222222222222222222";
    private readonly Dictionary<(string Repo, string Commit), Dictionary<string, (byte[] Content, bool Lfs, bool BadHash)>> _files = [];
    private FakeServer _server = null!;

    public Uri Endpoint => _server.BaseUri;

    public static async Task<FakeHub> StartAsync()
    {
        var hub = new FakeHub();
        hub.Add("acme/iris", MainCommit, "config.json", "{\"model_type\":\"iris\"}");
        hub.Add("acme/iris", MainCommit, "model.safetensors", new byte[100_000], lfs: true);
        hub.Add("acme/iris", MainCommit, "onnx/model.onnx", new byte[50_000], lfs: true);
        hub.Add("acme/iris", MainCommit, "README.md", "# iris");
        hub.Add("acme/iris", V1Commit, "config.json", "{\"model_type\":\"iris-v1\"}");
        hub.Add("acme/private", MainCommit, "config.json", "{}");
        hub.Add("acme/tampered", MainCommit, "model.safetensors", new byte[1000], lfs: true, badHash: true);
        hub._server = await FakeServer.StartAsync(app =>
        {
            app.MapGet("/api/models/{owner}/{name}/revision/{revision}", hub.InfoAsync);
            app.MapGet("/{owner}/{name}/resolve/{commit}/{**path}", hub.ResolveAsync);
        });
        return hub;
    }

    public ValueTask DisposeAsync() => _server.DisposeAsync();

    private void Add(string repo, string commit, string path, string content) => Add(repo, commit, path, Encoding.UTF8.GetBytes(content));

    private void Add(string repo, string commit, string path, byte[] content, bool lfs = false, bool badHash = false)
    {
        if (!_files.TryGetValue((repo, commit), out var files))
        {
            _files[(repo, commit)] = files = new(StringComparer.Ordinal);
        }

        files[path] = (content, lfs, badHash);
    }

    private static string? Commit(string revision) => revision switch
    {
        "main" or MainCommit => MainCommit,
        "v1.0" or V1Commit => V1Commit,
        _ => null,
    };

    private async Task InfoAsync(HttpContext context, string owner, string name, string revision)
    {
        var repo = owner + "/" + name;
        if (!Authorized(context, repo))
        {
            context.Response.StatusCode = 401;
            await context.Response.WriteAsJsonAsync(new { error = "Repository Not Found" });
            return;
        }

        if (Commit(revision) is not { } commit || !_files.TryGetValue((repo, commit), out var files))
        {
            context.Response.StatusCode = 404;
            await context.Response.WriteAsJsonAsync(new { error = "Revision Not Found" });
            return;
        }

        await context.Response.WriteAsJsonAsync(new
        {
            id = repo,
            sha = commit,
            siblings = files.Select(f => new
            {
                rfilename = f.Key,
                size = f.Value.Lfs ? 134 : f.Value.Content.Length,
                lfs = f.Value.Lfs
                    ? new { sha256 = Convert.ToHexStringLower(SHA256.HashData(f.Value.BadHash ? [1, 2, 3] : f.Value.Content)), size = f.Value.Content.Length, pointerSize = 134 }
                    : null,
            }),
        });
    }

    private async Task ResolveAsync(HttpContext context, string owner, string name, string commit, string path)
    {
        var repo = owner + "/" + name;
        if (!Authorized(context, repo) || !_files.TryGetValue((repo, commit), out var files) || !files.TryGetValue(path, out var file))
        {
            context.Response.StatusCode = 404;
            return;
        }

        context.Response.ContentType = "application/octet-stream";
        context.Response.ContentLength = file.Content.Length;
        await context.Response.Body.WriteAsync(file.Content);
    }

    private static bool Authorized(HttpContext context, string repo) =>
        repo != "acme/private" || context.Request.Headers.Authorization == "Bearer " + Token;
}
