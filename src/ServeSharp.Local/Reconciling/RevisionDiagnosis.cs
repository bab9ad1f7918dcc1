using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ServeSharp.Local.Supervision;

namespace ServeSharp.Local.Reconciling;

/// <summary>Why a revision has no ready replica, in KServe's terms.</summary>
/// <param name="Reason">Condition reason: <c>ModelLoadFailed</c> (the model server reports a failed load) or <c>CrashLoopBackOff</c>.</param>
/// <param name="Message">What went wrong, with the server's own error text or the tail of the replica log.</param>
/// <param name="ExitCode">Exit code of the last crash, when the process exited.</param>
internal sealed record RevisionDiagnosis(string Reason, string Message, int? ExitCode = null)
{
    private const int LogTailLines = 5;
    private const int MaxLogTailChars = 800;
    private static readonly HttpClient Client = new(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(2) };

    /// <summary>
    /// Looks at the replicas of a revision that is not ready: a replica in crash-loop backoff gives its exit and the
    /// last lines it logged; a running model server is asked for its load error (V2 repository index, model ready). Null when nothing is wrong yet (still starting).
    /// </summary>
    public static async Task<RevisionDiagnosis?> DiagnoseAsync(ReplicaGroup group, string? modelName, CancellationToken cancellationToken)
    {
        var replicas = group.Replicas;
        if (modelName is not null)
        {
            foreach (var replica in replicas.Where(r => r.Phase == ReplicaPhase.Starting && r.ProcessId is not null))
            {
                if (replica.Ports.TryGetValue("http", out var port) && await LoadErrorAsync(port, modelName, cancellationToken).ConfigureAwait(false) is { } error)
                {
                    return new RevisionDiagnosis("ModelLoadFailed", $"model server (replica {replica.Id}): {error}");
                }
            }
        }

        var crashed = replicas.FirstOrDefault(r => r.Phase == ReplicaPhase.CrashLoopBackOff && r.LastError is not null);
        if (crashed is not null)
        {
            var tail = LogTail(crashed.LogPath);
            var message = new StringBuilder($"replica {crashed.Id}: {crashed.LastError} (restarts: {crashed.Restarts})");
            if (tail.Length > 0)
            {
                message.Append("; last log lines: ").Append(tail);
            }

            return new RevisionDiagnosis("CrashLoopBackOff", message.ToString(), crashed.LastExitCode);
        }

        return null;
    }

    /// <summary>
    /// The model server's own load error: the V2 repository index (<c>POST /v2/repository/index</c>, state
    /// <c>UNAVAILABLE</c> with a reason), else the refusal of <c>GET /v2/models/{name}/ready</c> when it carries more
    /// than "not ready" / "Loading.". Null while loading or when the server speaks neither.
    /// </summary>
    private static async Task<string?> LoadErrorAsync(int port, string modelName, CancellationToken cancellationToken)
    {
        try
        {
            using (var index = await Client.PostAsync(new Uri($"http://127.0.0.1:{port}/v2/repository/index"), new StringContent("{}", System.Text.Encoding.UTF8, "application/json"), cancellationToken).ConfigureAwait(false))
            {
                if (index.IsSuccessStatusCode && JsonNode.Parse(await index.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false)) is JsonArray models)
                {
                    var entry = models.OfType<JsonObject>().FirstOrDefault(m => (string?)m["name"] == modelName);
                    return entry is not null && (string?)entry["state"] == "UNAVAILABLE" && (string?)entry["reason"] is { Length: > 0 } reason
                        ? $"Model with name {modelName} is not ready. {reason}"
                        : null;
                }
            }

            using var response = await Client.GetAsync(new Uri($"http://127.0.0.1:{port}/v2/models/{Uri.EscapeDataString(modelName)}/ready"), cancellationToken).ConfigureAwait(false);
            if (response.IsSuccessStatusCode)
            {
                return null;
            }

            var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            var error = (JsonNode.Parse(body) as JsonObject)?["error"]?.GetValue<string>()?.TrimEnd();
            return error is not null && !error.EndsWith("is not ready.", StringComparison.Ordinal) && !error.EndsWith("Loading.", StringComparison.Ordinal) ? error : null;
        }
        catch (Exception e) when (e is HttpRequestException or JsonException or InvalidOperationException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            // Not listening yet, not a V2 server, or no JSON error: nothing to report.
            return null;
        }
    }

    private static string LogTail(string path)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            stream.Seek(Math.Max(0, stream.Length - 16 * 1024), SeekOrigin.Begin);
            using var reader = new StreamReader(stream);
            var lines = reader.ReadToEnd().Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
                .Where(l => !l.StartsWith("--- ", StringComparison.Ordinal))
                .TakeLast(LogTailLines);
            var tail = string.Join(" | ", lines);
            return tail.Length > MaxLogTailChars ? "…" + tail[^MaxLogTailChars..] : tail;
        }
        catch (IOException)
        {
            return string.Empty;
        }
    }
}
