using System.Diagnostics;
using ServeSharp.Abstractions;
using ServeSharp.Server.Models;

namespace ServeSharp.Server.Metrics;

/// <summary>Times every predict/explain call into KServe's <c>request_predict_seconds</c>/<c>request_explain_seconds</c>.</summary>
internal sealed class MetricsDecoratorFactory(ServerMetrics metrics) : IModelDecoratorFactory
{
    public IModel Decorate(IModel model) => new MetricsModel(model, metrics.ForModel(model.Name));

    private sealed class MetricsModel(IModel inner, ModelHistograms histograms) : ModelDecorator(inner)
    {
        public override async ValueTask<InferenceResponse> PredictAsync(InferenceRequest request, CancellationToken cancellationToken)
        {
            var start = Stopwatch.GetTimestamp();
            try
            {
                return await Inner.PredictAsync(request, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                histograms.Predict.Observe(Stopwatch.GetElapsedTime(start).TotalSeconds);
            }
        }

        public override async ValueTask<InferenceResponse> ExplainAsync(InferenceRequest request, CancellationToken cancellationToken)
        {
            var start = Stopwatch.GetTimestamp();
            try
            {
                return await base.ExplainAsync(request, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                histograms.Explain.Observe(Stopwatch.GetElapsedTime(start).TotalSeconds);
            }
        }
    }
}
