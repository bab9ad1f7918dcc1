using System.Globalization;

namespace ServeSharp.Server.Metrics;

/// <summary>
/// The <c>servesharp_requests_total</c> counters of one protocol label by HTTP status, each looked up once and then
/// kept, so counting a request is an array read and an increment rather than hashing two label strings.
/// </summary>
internal sealed class HttpRequestCounters(ServerMetrics metrics, string protocol)
{
    private static readonly string[] StatusText = [.. Enumerable.Range(0, 600).Select(i => i.ToString(CultureInfo.InvariantCulture))];

    private readonly StripedCounter?[] _byStatus = new StripedCounter?[StatusText.Length];

    /// <summary>Counts one request answered with <paramref name="status"/> (outside 0–599: counted as the nearest).</summary>
    public void Count(int status)
    {
        var index = Math.Clamp(status, 0, StatusText.Length - 1);
        // Racing threads store the same child: the metrics hand out one per label set.
        (_byStatus[index] ??= metrics.RequestCounter(protocol, StatusText[index])).Increment();
    }
}
