namespace ServeSharp.Runtimes.Sklearn.Pickle;

/// <summary>Resource limits that keep a hostile pickle from exhausting memory or the stack.</summary>
public sealed record PickleLimits
{
    /// <summary>The defaults: generous for real models, far below what would hurt the server.</summary>
    public static readonly PickleLimits Default = new();

    /// <summary>Largest (decompressed) file accepted. Arrays are held in memory, so this bounds memory use.</summary>
    public long MaxFileBytes { get; init; } = 1L << 30;

    /// <summary>Largest memo (PUT/MEMOIZE entries).</summary>
    public int MaxMemoEntries { get; init; } = 5_000_000;

    /// <summary>Deepest nesting of tuples, lists, dicts and objects.</summary>
    public int MaxNestingDepth { get; init; } = 500;

    /// <summary>Deepest stack of MARKs.</summary>
    public int MaxMarkDepth { get; init; } = 500;

    /// <summary>Longest text-encoded integer (LONG / LONG1 / LONG4) in bytes.</summary>
    public int MaxLongBytes { get; init; } = 4096;

    /// <summary>How many pickles may nest inside one another (joblib object arrays).</summary>
    public int MaxNestedPickles { get; init; } = 16;
}
