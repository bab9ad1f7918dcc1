using System.Collections;
using System.Diagnostics.CodeAnalysis;
using Grpc.Core;

namespace ServeSharp.Server.Grpc;

/// <summary>
/// gRPC request metadata (text entries) as the case-insensitive header map of <c>InferenceRequest.Headers</c>. The
/// call's metadata is only built (a copy of every request header) when a model actually reads the headers.
/// </summary>
internal sealed class MetadataView(ServerCallContext context) : IReadOnlyDictionary<string, string>
{
    private Metadata? _metadata;

    private Metadata Metadata => _metadata ??= context.RequestHeaders;

    private IEnumerable<Metadata.Entry> Text => Metadata.Where(e => !e.IsBinary);

    public int Count => Text.Count();

    public IEnumerable<string> Keys => Text.Select(e => e.Key);

    public IEnumerable<string> Values => Text.Select(e => e.Value);

    public string this[string key] => TryGetValue(key, out var value) ? value : throw new KeyNotFoundException(key);

    public bool ContainsKey(string key) => TryGetValue(key, out _);

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out string value)
    {
        var entry = Metadata.Get(key.ToLowerInvariant());
        if (entry is { IsBinary: false })
        {
            value = entry.Value;
            return true;
        }

        value = null;
        return false;
    }

    public IEnumerator<KeyValuePair<string, string>> GetEnumerator() =>
        Text.Select(e => new KeyValuePair<string, string>(e.Key, e.Value)).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
