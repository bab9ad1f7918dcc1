using System.Diagnostics.CodeAnalysis;
using Microsoft.AspNetCore.Http;

namespace ServeSharp.Server.Rest;

/// <summary>A read-only, case-insensitive view of the request headers for <c>InferenceRequest.Headers</c>, without copying them.</summary>
internal sealed class HeaderView(IHeaderDictionary headers) : ReadOnlyHeaderMap
{
    /// <summary>One entry per header, its values joined with commas.</summary>
    protected override IEnumerable<KeyValuePair<string, string>> Entries =>
        headers.Select(h => new KeyValuePair<string, string>(h.Key, h.Value.ToString()));

    public override bool TryGetValue(string key, [MaybeNullWhen(false)] out string value)
    {
        if (headers.TryGetValue(key, out var values))
        {
            value = values.ToString();
            return true;
        }

        value = null;
        return false;
    }
}
