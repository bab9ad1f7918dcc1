namespace ServeSharp.Local.Ingress;

/// <summary>
/// Smooth weighted round-robin (the nginx algorithm): deterministic, and over any window of Σweights picks each
/// target exactly its weight times, interleaved rather than in bursts (10/90 gives one canary pick per ten).
/// Thread-safe.
/// </summary>
public sealed class WeightedPicker
{
    private readonly int[] _weights;
    private readonly long[] _current;
    private readonly int _total;
    private readonly Lock _lock = new();

    /// <summary>Creates a picker over weights (non-negative, at least one positive).</summary>
    public WeightedPicker(IReadOnlyList<int> weights)
    {
        if (weights.Count == 0 || weights.Any(w => w < 0) || weights.Sum() <= 0)
        {
            throw new ArgumentException("Weights must be non-negative with a positive sum.", nameof(weights));
        }

        _weights = weights.ToArray();
        _current = new long[_weights.Length];
        _total = _weights.Sum();
    }

    /// <summary>The index of the next target.</summary>
    public int Next()
    {
        if (_weights.Length == 1)
        {
            return 0;
        }

        lock (_lock)
        {
            var best = -1;
            for (var i = 0; i < _weights.Length; i++)
            {
                _current[i] += _weights[i];
                if (_weights[i] > 0 && (best < 0 || _current[i] > _current[best]))
                {
                    best = i;
                }
            }

            _current[best] -= _total;
            return best;
        }
    }
}
