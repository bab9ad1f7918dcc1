using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;
using Microsoft.AspNetCore.Http;

namespace ServeSharp.Server.Grpc;

/// <summary>
/// A call's text metadata read straight from its HTTP/2 request headers, for calls that <see cref="ModelInferFastPath"/>
/// answers without a <c>ServerCallContext</c>: the same entries <see cref="MetadataView"/> shows through
/// Grpc.AspNetCore. Like its metadata it leaves out pseudo-headers, the headers gRPC itself consumes (content type,
/// <c>te</c>, encodings, timeout, host) and binary (<c>-bin</c>) entries; keys are lower case, a repeated header gives
/// one entry per value, and a lookup finds the last one.
/// </summary>
internal sealed class GrpcHeaderView(IHeaderDictionary headers) : ReadOnlyHeaderMap
{
    private static readonly FrozenSet<string> TransportHeaders = new[]
    {
        "content-type", "te", "host", "accept-encoding", "grpc-encoding", "grpc-accept-encoding", "grpc-timeout",
    }.ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    protected override IEnumerable<KeyValuePair<string, string>> Entries =>
        headers.Where(h => IsText(h.Key))
            .SelectMany(h => h.Value.Select(v => new KeyValuePair<string, string>(h.Key.ToLowerInvariant(), v ?? string.Empty)));

    public override bool TryGetValue(string key, [MaybeNullWhen(false)] out string value)
    {
        if (IsText(key) && headers.TryGetValue(key, out var values) && values.Count > 0)
        {
            value = values[values.Count - 1] ?? string.Empty;
            return true;
        }

        value = null;
        return false;
    }

    private static bool IsText(string key) =>
        !key.StartsWith(':') && !key.EndsWith("-bin", StringComparison.OrdinalIgnoreCase) && !TransportHeaders.Contains(key);
}
