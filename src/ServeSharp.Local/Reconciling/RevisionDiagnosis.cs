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
    /// last lines it logged; a running model server is asked <c>GET /v2/models/{name}/ready</c> and a refusal that
    /// carries more than "not ready" (the load error) is reported. Null when nothing is wrong yet (still starting).
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

    private static async Task<string?> LoadErrorAsync(int port, string modelName, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await Client.GetAsync(new Uri($"http://127.0.0.1:{port}/v2/models/{Uri.EscapeDataString(modelName)}/ready"), cancellationToken).ConfigureAwait(false);
            if (response.IsSuccessStatusCode)
            {
                return null;
            }

            var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            var error = (JsonNode.Parse(body) as JsonObject)?["error"]?.GetValue<string>();
            // "Model with name x is not ready." alone means still loading; a failed load appends the reason.
            return error is not null && !error.TrimEnd().EndsWith("is not ready.", StringComparison.Ordinal) ? error : null;
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
