using System.Collections.Concurrent;
using Prometheus;

namespace ServeSharp.Server.Metrics;

/// <summary>
/// The Prometheus metrics of one server (its own registry, so several servers in one process do not mix):
/// KServe's histograms <c>request_preprocess_seconds</c>, <c>request_predict_seconds</c>,
/// <c>request_explain_seconds</c>, <c>request_postprocess_seconds</c> (label <c>model_name</c>, prometheus_client's
/// default buckets) and the counter <c>servesharp_requests_total{protocol,status}</c>.
/// </summary>
public sealed class ServerMetrics
{
    private readonly Histogram _preprocess;
    private readonly Histogram _predict;
    private readonly Histogram _explain;
    private readonly Histogram _postprocess;
    private readonly Counter _requests;
    private readonly ConcurrentDictionary<string, ModelHistograms> _byModel = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Protocol, string Status), StripedCounter> _counters = new();

    /// <summary>Creates the metrics in a new registry that also exports .NET process statistics.</summary>
    public ServerMetrics()
    {
        Registry = Prometheus.Metrics.NewCustomRegistry();
        DotNetStats.Register(Registry);
        var factory = Prometheus.Metrics.WithCustomRegistry(Registry);
        // No exemplars: the text format KServe's scrapers read has none, and looking for one (the current trace) on
        // every observation was 0.3% of a small model's server CPU.
        var histogram = new HistogramConfiguration
        {
            LabelNames = ["model_name"],
            Buckets = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0],
            ExemplarBehavior = ExemplarBehavior.NoExemplars(),
        };
        _preprocess = factory.CreateHistogram("request_preprocess_seconds", "pre-process request latency", histogram);
        _predict = factory.CreateHistogram("request_predict_seconds", "predict request latency", histogram);
        _explain = factory.CreateHistogram("request_explain_seconds", "explain request latency", histogram);
        _postprocess = factory.CreateHistogram("request_postprocess_seconds", "post-process request latency", histogram);
        _requests = factory.CreateCounter(
            "servesharp_requests_total",
            "Requests answered, by protocol (v1, v2, grpc, other) and status (HTTP status or gRPC code name).",
            new CounterConfiguration { LabelNames = ["protocol", "status"], ExemplarBehavior = ExemplarBehavior.NoExemplars() });
        Registry.AddBeforeCollectCallback(PublishRequestCounts);
    }

    /// <summary>The registry to export at <c>/metrics</c>.</summary>
    public CollectorRegistry Registry { get; }

    /// <summary>The histograms of one model.</summary>
    public ModelHistograms ForModel(string modelName) =>
        _byModel.GetOrAdd(modelName, name => new ModelHistograms(
            _preprocess.WithLabels(name), _predict.WithLabels(name), _explain.WithLabels(name), _postprocess.WithLabels(name)));

    /// <summary>Counts one answered request.</summary>
    public void CountRequest(string protocol, string status) => RequestCounter(protocol, status).Increment();

    /// <summary>
    /// The count of one protocol and status, for callers that keep it (see <see cref="HttpRequestCounters"/>): the
    /// <c>servesharp_requests_total</c> series is set from it at every scrape.
    /// </summary>
    internal StripedCounter RequestCounter(string protocol, string status) =>
        _counters.GetOrAdd((protocol, status), static _ => new StripedCounter());

    // Every increment goes through the striped counts, so each series only ever moves up to its count.
    private void PublishRequestCounts()
    {
        foreach (var ((protocol, status), count) in _counters)
        {
            _requests.WithLabels(protocol, status).IncTo(count.Value);
        }
    }
}

/// <summary>KServe's four latency histograms for one model.</summary>
public sealed record ModelHistograms(
    Histogram.Child Preprocess, Histogram.Child Predict, Histogram.Child Explain, Histogram.Child Postprocess);
