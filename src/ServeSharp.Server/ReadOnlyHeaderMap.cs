using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace ServeSharp.Server;

/// <summary>
/// A read-only map of request headers (or gRPC metadata) as <c>InferenceRequest.Headers</c> shows them, built on demand
/// from its <see cref="Entries"/> and a lookup, so that nothing is copied unless a model reads the headers.
/// </summary>
internal abstract class ReadOnlyHeaderMap : IReadOnlyDictionary<string, string>
{
    public int Count => Entries.Count();

    public IEnumerable<string> Keys => Entries.Select(e => e.Key);

    public IEnumerable<string> Values => Entries.Select(e => e.Value);

    /// <summary>Every entry, in the order the request carries them (a repeated key appears once per value).</summary>
    protected abstract IEnumerable<KeyValuePair<string, string>> Entries { get; }

    public string this[string key] => TryGetValue(key, out var value) ? value : throw new KeyNotFoundException(key);

    public bool ContainsKey(string key) => TryGetValue(key, out _);

    public abstract bool TryGetValue(string key, [MaybeNullWhen(false)] out string value);

    public IEnumerator<KeyValuePair<string, string>> GetEnumerator() => Entries.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
