using System.Globalization;
using Prometheus;
using ServeSharp.Server.Metrics;

namespace ServeSharp.Server.Tests.Metrics;

/// <summary>Requests counted through the kept per-status counters land on the same series as through the metrics.</summary>
public sealed class HttpRequestCountersTests
{
    [Fact]
    public async Task Count_AddsToTheSeriesOfItsProtocolAndStatus()
    {
        var metrics = new ServerMetrics();
        var v1 = new HttpRequestCounters(metrics, "v1");
        var v2 = new HttpRequestCounters(metrics, "v2");

        v1.Count(200);
        v1.Count(200);
        v1.Count(404);
        v2.Count(200);
        v2.Count(1000); // out of range: counted as 599
        metrics.CountRequest("v1", "200");

        var text = await ExportAsync(metrics.Registry);
        Assert.Equal(3, Value(text, "servesharp_requests_total{protocol=\"v1\",status=\"200\"}"));
        Assert.Equal(1, Value(text, "servesharp_requests_total{protocol=\"v1\",status=\"404\"}"));
        Assert.Equal(1, Value(text, "servesharp_requests_total{protocol=\"v2\",status=\"200\"}"));
        Assert.Equal(1, Value(text, "servesharp_requests_total{protocol=\"v2\",status=\"599\"}"));
        Assert.DoesNotContain("status=\"1000\"", text);
    }

    [Fact]
    public async Task Count_FromManyThreads_LosesNoRequest()
    {
        var metrics = new ServerMetrics();
        var counters = new HttpRequestCounters(metrics, "v2");
        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() =>
        {
            for (var i = 0; i < 10_000; i++)
            {
                counters.Count(200 + (i % 2));
            }
        })));

        var text = await ExportAsync(metrics.Registry);
        Assert.Equal(40_000, Value(text, "servesharp_requests_total{protocol=\"v2\",status=\"200\"}"));
        Assert.Equal(40_000, Value(text, "servesharp_requests_total{protocol=\"v2\",status=\"201\"}"));
    }

    [Fact]
    public async Task Count_BetweenScrapes_EachScrapeShowsTheTotalSoFar()
    {
        // The series are set from striped counts when scraped: each scrape must show the running total, not the
        // increments since the last one, nor stop at the first scrape's value.
        var metrics = new ServerMetrics();
        var counters = new HttpRequestCounters(metrics, "v2");
        counters.Count(200);
        Assert.Equal(1, Value(await ExportAsync(metrics.Registry), "servesharp_requests_total{protocol=\"v2\",status=\"200\"}"));
        Assert.Equal(1, Value(await ExportAsync(metrics.Registry), "servesharp_requests_total{protocol=\"v2\",status=\"200\"}"));

        counters.Count(200);
        metrics.CountRequest("v2", "200");
        Assert.Equal(3, Value(await ExportAsync(metrics.Registry), "servesharp_requests_total{protocol=\"v2\",status=\"200\"}"));
    }

    /// <summary>A series' value in a text exposition; 0 when the series is not there yet.</summary>
    internal static double Value(string exposition, string series)
    {
        var line = exposition.Split('\n').SingleOrDefault(l => l.StartsWith(series + " ", StringComparison.Ordinal));
        return line is null ? 0 : double.Parse(line[(series.Length + 1)..], CultureInfo.InvariantCulture);
    }

    private static async Task<string> ExportAsync(CollectorRegistry registry)
    {
        using var stream = new MemoryStream();
        await registry.CollectAndExportAsTextAsync(stream);
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }
}
