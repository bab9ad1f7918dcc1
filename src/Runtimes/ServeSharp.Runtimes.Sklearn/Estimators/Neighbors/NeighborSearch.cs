using ServeSharp.Runtimes.Sklearn.Numpy;
using ServeSharp.Runtimes.Sklearn.Pickle;

namespace ServeSharp.Runtimes.Sklearn.Estimators.Neighbors;

/// <summary>
/// The k nearest training samples of a query. When the estimator was fitted with a KD-tree (the usual case),
/// the pickled tree is walked exactly as sklearn's <c>KDTree.query</c> does (depth-first, nearer child first,
/// the same bounded max-heap), so ties at the k-th distance resolve to the same neighbours. Otherwise a brute-force
/// search ordered by (distance, index) is used.
/// </summary>
internal sealed class NeighborSearch
{
    private readonly double[] _data;
    private readonly int _features;
    private readonly double _p;
    private readonly long[]? _idxArray;
    private readonly long[]? _idxStart;
    private readonly long[]? _idxEnd;
    private readonly long[]? _isLeaf;
    private readonly double[]? _bounds;
    private readonly int _nodes;

    public NeighborSearch(SkObject est)
    {
        var fitX = est.Array("_fit_X");
        if (fitX.Rank != 2)
        {
            throw est.WrongType("_fit_X", "a 2-D array of training samples");
        }

        _data = fitX.ToDoubles();
        _features = checked((int)fitX.Shape[1]);
        Samples = checked((int)fitX.Shape[0]);
        var metric = est.String("effective_metric_");
        var parameters = est.Get("effective_metric_params_") as PyDict;
        _p = metric switch
        {
            "euclidean" or "l2" => 2,
            "manhattan" or "cityblock" or "l1" => 1,
            "chebyshev" or "infinity" => double.PositiveInfinity,
            "minkowski" when parameters is not null && parameters.TryGetValue("p", out var p) => SkObject.ToDouble(p) ?? 2,
            "minkowski" => 2,
            _ => throw est.Unsupported($"metric '{metric}'"),
        };
        if (parameters is not null && parameters.Entries.Any(e => e.Key is not "p"))
        {
            throw est.Unsupported("metric parameters other than p");
        }

        if (est.String("_fit_method") is "kd_tree" && est.Get("_tree") is PyInstance { State: PyTuple state } && state.Count >= 4
            && state[1] is NdArray idx && state[2] is NdArray nodeData && state[3] is NdArray bounds)
        {
            _idxArray = idx.ToLongs();
            _idxStart = nodeData.FieldAsDoubles("idx_start").Select(v => (long)v).ToArray();
            _idxEnd = nodeData.FieldAsDoubles("idx_end").Select(v => (long)v).ToArray();
            _isLeaf = nodeData.FieldAsDoubles("is_leaf").Select(v => (long)v).ToArray();
            _bounds = bounds.ToDoubles();
            _nodes = checked((int)nodeData.Count);
            if (!IsConsistentTree())
            {
                throw est.WrongType("_tree", "a KD-tree whose nodes, bounds and indices fit _fit_X");
            }
        }
    }

    // The query below indexes with these arrays without further checks: every sample index inside _fit_X, every
    // node's range inside idx_array, bounds for every node, and an inner node's two children (2i+1, 2i+2) present.
    private bool IsConsistentTree()
    {
        var (indices, starts, ends, leaves) = (_idxArray!, _idxStart!, _idxEnd!, _isLeaf!);
        if (_bounds!.Length != 2L * _nodes * _features || starts.Length != _nodes || ends.Length != _nodes
            || leaves.Length != _nodes || _nodes == 0 || indices.Any(i => i < 0 || i >= Samples))
        {
            return false;
        }

        for (var node = 0; node < _nodes; node++)
        {
            if (starts[node] < 0 || starts[node] > ends[node] || ends[node] > indices.Length
                || (leaves[node] == 0 && 2L * node + 2 >= _nodes))
            {
                return false;
            }
        }

        return LeavesSplitEverySampleOnce();
    }

    // sklearn's idx_array holds every sample once and the leaves reached from the root split it: a tree whose leaves
    // covered a sample twice or not at all would load fine and then answer with wrong neighbours.
    private bool LeavesSplitEverySampleOnce()
    {
        var (indices, starts, ends, leaves) = (_idxArray!, _idxStart!, _idxEnd!, _isLeaf!);
        if (indices.Length != Samples)
        {
            return false;
        }

        var sampleSeen = new bool[Samples];
        foreach (var i in indices)
        {
            if (sampleSeen[i])
            {
                return false;
            }

            sampleSeen[i] = true;
        }

        // Children (2i+1, 2i+2) always come after their parent, so the walk ends.
        var covered = new bool[indices.Length];
        var coveredCount = 0L;
        var pending = new Stack<int>();
        pending.Push(0);
        while (pending.Count > 0)
        {
            var node = pending.Pop();
            if (leaves[node] == 0)
            {
                pending.Push((2 * node) + 1);
                pending.Push((2 * node) + 2);
                continue;
            }

            for (var position = starts[node]; position < ends[node]; position++)
            {
                if (covered[position])
                {
                    return false;
                }

                covered[position] = true;
                coveredCount++;
            }
        }

        return coveredCount == indices.Length;
    }

    public int Samples { get; }

    public int Features => _features;

    /// <summary>Fills the k nearest (by distance ascending) indices and true distances.</summary>
    public void Query(ReadOnlySpan<double> x, int[] indices, double[] distances)
    {
        var k = indices.Length;
        var heapDist = distances;
        Array.Fill(heapDist, double.PositiveInfinity);
        Array.Fill(indices, 0);
        if (_idxArray is not null)
        {
            QueryDepthFirst(0, x, heapDist, indices, MinReducedDistance(0, x));
        }
        else
        {
            for (var i = 0; i < Samples; i++)
            {
                Push(heapDist, indices, ReducedDistance(x, i), i);
            }
        }

        // sklearn sorts the heap by distance; equal distances keep no meaningful order, but votes and means do
        // not depend on it.
        Array.Sort(heapDist, indices, 0, k);
        for (var i = 0; i < k; i++)
        {
            heapDist[i] = ToDistance(heapDist[i]);
        }
    }

    private void QueryDepthFirst(int node, ReadOnlySpan<double> x, double[] heapDist, int[] heapIdx, double lowerBound)
    {
        if (lowerBound > heapDist[0])
        {
            return;
        }

        if (_isLeaf![node] != 0)
        {
            for (var i = _idxStart![node]; i < _idxEnd![node]; i++)
            {
                var sample = (int)_idxArray![i];
                Push(heapDist, heapIdx, ReducedDistance(x, sample), sample);
            }

            return;
        }

        var c1 = 2 * node + 1;
        var c2 = c1 + 1;
        if (c2 >= _nodes)
        {
            throw new SklearnModelException("KDTree node data is inconsistent");
        }

        var lb1 = MinReducedDistance(c1, x);
        var lb2 = MinReducedDistance(c2, x);
        if (lb1 <= lb2)
        {
            QueryDepthFirst(c1, x, heapDist, heapIdx, lb1);
            QueryDepthFirst(c2, x, heapDist, heapIdx, lb2);
        }
        else
        {
            QueryDepthFirst(c2, x, heapDist, heapIdx, lb2);
            QueryDepthFirst(c1, x, heapDist, heapIdx, lb1);
        }
    }

    // sklearn.neighbors._binary_tree NeighborsHeap._push: a bounded max-heap with the largest at position 0.
    private static void Push(double[] dist, int[] ind, double val, int index)
    {
        var size = dist.Length;
        if (val >= dist[0])
        {
            return;
        }

        dist[0] = val;
        ind[0] = index;
        var i = 0;
        while (true)
        {
            var ic1 = 2 * i + 1;
            var ic2 = ic1 + 1;
            int swap;
            if (ic1 >= size)
            {
                break;
            }
            else if (ic2 >= size)
            {
                if (dist[ic1] > val)
                {
                    swap = ic1;
                }
                else
                {
                    break;
                }
            }
            else if (dist[ic1] >= dist[ic2])
            {
                if (val < dist[ic1])
                {
                    swap = ic1;
                }
                else
                {
                    break;
                }
            }
            else
            {
                if (val < dist[ic2])
                {
                    swap = ic2;
                }
                else
                {
                    break;
                }
            }

            dist[i] = dist[swap];
            ind[i] = ind[swap];
            i = swap;
        }

        dist[i] = val;
        ind[i] = index;
    }

    // KDTree min_rdist: distance from the query to the node's bounding box, in reduced form.
    private double MinReducedDistance(int node, ReadOnlySpan<double> x)
    {
        var d = _features;
        double r = 0;
        for (var j = 0; j < d; j++)
        {
            var lo = _bounds![node * d + j] - x[j];
            var hi = x[j] - _bounds[(_nodes + node) * d + j];
            var v = (lo + Math.Abs(lo)) + (hi + Math.Abs(hi));
            r = double.IsPositiveInfinity(_p) ? Math.Max(r, 0.5 * v) : r + Math.Pow(0.5 * v, _p);
        }

        return r;
    }

    private double ReducedDistance(ReadOnlySpan<double> x, int sample)
    {
        var row = _data.AsSpan(sample * _features, _features);
        double r = 0;
        for (var j = 0; j < _features; j++)
        {
            var diff = x[j] - row[j];
            r = _p switch
            {
                2 => r + diff * diff,
                1 => r + Math.Abs(diff),
                double.PositiveInfinity => Math.Max(r, Math.Abs(diff)),
                _ => r + Math.Pow(Math.Abs(diff), _p),
            };
        }

        return r;
    }

    private double ToDistance(double reduced) => _p switch
    {
        2 => Math.Sqrt(reduced),
        1 or double.PositiveInfinity => reduced,
        _ => Math.Pow(reduced, 1.0 / _p),
    };
}
