using System.Diagnostics.CodeAnalysis;
using Grpc.Core;

namespace ServeSharp.Server.Grpc;

/// <summary>
/// gRPC request metadata (text entries) as the case-insensitive header map of <c>InferenceRequest.Headers</c>. The
/// call's metadata is only built (a copy of every request header) when a model actually reads the headers.
/// </summary>
internal sealed class MetadataView(ServerCallContext context) : ReadOnlyHeaderMap
{
    private Metadata? _metadata;

    private Metadata Metadata => _metadata ??= context.RequestHeaders;

    protected override IEnumerable<KeyValuePair<string, string>> Entries =>
        Metadata.Where(e => !e.IsBinary).Select(e => new KeyValuePair<string, string>(e.Key, e.Value));

    public override bool TryGetValue(string key, [MaybeNullWhen(false)] out string value)
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
}
