using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using ServeSharp.Local.Store;

namespace ServeSharp.Cli.Platform;

/// <summary>kubectl-like table output (columns padded with three spaces, upper-case headers).</summary>
internal static class ResourceTable
{
    public static string Render(ResourceType type, IReadOnlyList<JsonObject> items, bool allNamespaces, DateTimeOffset now)
    {
        var headers = new List<string>();
        if (allNamespaces)
        {
            headers.Add("NAMESPACE");
        }

        headers.Add("NAME");
        var isvc = type.Kind == "InferenceService";
        if (isvc)
        {
            headers.AddRange(["URL", "READY", "PREV", "LATEST", "PREVROLLEDOUTREVISION", "LATESTREADYREVISION"]);
        }
        else
        {
            headers.Add("READY");
        }

        headers.Add("AGE");
        var rows = new List<List<string>>();
        foreach (var item in items)
        {
            var row = new List<string>();
            if (allNamespaces)
            {
                row.Add(ObjectMeta.Namespace(item) ?? string.Empty);
            }

            row.Add(ObjectMeta.Name(item) ?? string.Empty);
            var status = item["status"] as JsonObject;
            var ready = status?["conditions"]?.AsArray().FirstOrDefault(c => (string?)c?["type"] == "Ready")?["status"]?.GetValue<string>() ?? string.Empty;
            if (isvc)
            {
                var predictor = status?["components"]?["predictor"];
                var traffic = predictor?["traffic"]?.AsArray() ?? [];
                var prev = traffic.FirstOrDefault(t => (string?)t?["tag"] == "prev")?["percent"]?.ToString() ?? string.Empty;
                var latest = traffic.FirstOrDefault(t => t?["latestRevision"]?.GetValue<bool>() == true)?["percent"]?.ToString() ?? string.Empty;
                row.AddRange([(string?)status?["url"] ?? string.Empty, ready, prev, latest, (string?)predictor?["previousRolledoutRevision"] ?? string.Empty, (string?)predictor?["latestReadyRevision"] ?? string.Empty]);
            }
            else
            {
                row.Add(ready);
            }

            row.Add(Age(ObjectMeta.GetString(item, "creationTimestamp"), now));
            rows.Add(row);
        }

        var widths = headers.Select((h, i) => Math.Max(h.Length, rows.Select(r => r[i].Length).DefaultIfEmpty(0).Max())).ToArray();
        var text = new StringBuilder();
        AppendRow(text, headers, widths);
        foreach (var row in rows)
        {
            AppendRow(text, row, widths);
        }

        return text.ToString();
    }

    public static string Age(string? timestamp, DateTimeOffset now)
    {
        if (!DateTimeOffset.TryParse(timestamp, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var created))
        {
            return "<unknown>";
        }

        var age = now - created;
        return age.TotalSeconds < 120 ? $"{Math.Max(0, (int)age.TotalSeconds)}s"
            : age.TotalMinutes < 120 ? $"{(int)age.TotalMinutes}m"
            : age.TotalHours < 48 ? $"{(int)age.TotalHours}h"
            : $"{(int)age.TotalDays}d";
    }

    private static void AppendRow(StringBuilder text, IReadOnlyList<string> cells, int[] widths)
    {
        for (var i = 0; i < cells.Count; i++)
        {
            text.Append(i == cells.Count - 1 ? cells[i] : cells[i].PadRight(widths[i] + 3));
        }

        text.AppendLine();
    }
}
