using ServeSharp.Runtimes.Sklearn.Numpy;
using ServeSharp.Runtimes.Trees.Engine;

namespace ServeSharp.Runtimes.Sklearn.Estimators.Trees;

/// <summary>
/// A fitted <c>sklearn.tree._tree.Tree</c> (the <c>tree_</c> of a DecisionTree*/ExtraTree*) as flat arrays:
/// <c>nodes</c> (left_child, right_child, feature, threshold, ..., n_node_samples) and <c>value</c>
/// (n_nodes, n_outputs, max_n_classes).
/// </summary>
internal sealed class SklearnTree
{
    private SklearnTree(TreeArrays arrays, double[] values, int outputs, int classesPerOutput, long[] nodeSamples, int[] depth)
    {
        Arrays = arrays;
        Values = values;
        Outputs = outputs;
        ClassesPerOutput = classesPerOutput;
        Width = outputs * classesPerOutput;
        NodeSamples = nodeSamples;
        Depth = depth;
    }

    /// <summary>Structure with <see cref="TreeArrays.LeafValues"/> = the raw <c>value</c> rows.</summary>
    public TreeArrays Arrays { get; }

    /// <summary><c>value</c> flattened: node i, output o, class k at <c>i * Width + o * ClassesPerOutput + k</c>.</summary>
    public double[] Values { get; }

    /// <summary>Values per node: n_outputs × max_n_classes.</summary>
    public int Width { get; }

    /// <summary>n_outputs (1 unless the estimator was fitted on a 2-D y).</summary>
    public int Outputs { get; }

    /// <summary>max_n_classes (1 for regression).</summary>
    public int ClassesPerOutput { get; }

    /// <summary><c>n_node_samples</c>.</summary>
    public long[] NodeSamples { get; }

    /// <summary>Depth of each node (root 0), following the child links.</summary>
    public int[] Depth { get; }

    /// <summary>Reads <c>estimator.tree_</c>.</summary>
    public static SklearnTree Read(SkObject estimator)
    {
        var tree = estimator.Object("tree_");
        var nodes = tree.Array("nodes");
        var values = tree.Array("values");
        if (values.Rank != 3 || values.Shape[0] != nodes.Count)
        {
            throw tree.WrongType("values", "an array of shape (node_count, n_outputs, max_n_classes)");
        }

        if (nodes.Count == 0 || values.Shape[1] == 0 || values.Shape[2] == 0)
        {
            throw tree.WrongType("nodes", "a tree with at least one node and one value per node");
        }

        if (nodes.HasField("missing_go_to_left"))
        {
            throw estimator.Unsupported("trees with missing-value support (scikit-learn >= 1.3)");
        }

        var n = (int)nodes.Count;
        var left = ToInts(nodes.FieldAsDoubles("left_child"));
        var right = ToInts(nodes.FieldAsDoubles("right_child"));
        var feature = ToInts(nodes.FieldAsDoubles("feature"));
        var threshold = nodes.FieldAsDoubles("threshold");
        var samples = nodes.FieldAsDoubles("n_node_samples").Select(v => (long)v).ToArray();
        var outputs = checked((int)values.Shape[1]);
        var classesPerOutput = checked((int)values.Shape[2]);
        var width = outputs * classesPerOutput;
        var v = values.ToDoubles();
        for (var i = 0; i < n; i++)
        {
            if (left[i] < 0)
            {
                feature[i] = 0; // sklearn stores TREE_UNDEFINED (-2) on leaves
            }
        }

        var depth = new int[n];
        var stack = new Stack<int>();
        stack.Push(0);
        var seen = 0;
        while (stack.Count > 0 && seen++ <= n)
        {
            var i = stack.Pop();
            if (left[i] >= 0 && left[i] < n && right[i] >= 0 && right[i] < n)
            {
                depth[left[i]] = depth[i] + 1;
                depth[right[i]] = depth[i] + 1;
                stack.Push(left[i]);
                stack.Push(right[i]);
            }
        }

        var arrays = new TreeArrays
        {
            LeftChild = left,
            RightChild = right,
            SplitFeature = feature,
            Threshold = threshold,
            LeafValues = v,
            LeafWidth = width,
        };
        return new SklearnTree(arrays, v, outputs, classesPerOutput, samples, depth);
    }

    /// <summary>
    /// The same structure with other leaf values; <paramref name="featureMap"/> maps the tree's own feature numbers to
    /// the model's (a bagged tree trained on a subset of the features).
    /// </summary>
    /// <exception cref="SklearnModelException">The tree splits on a feature the map does not have.</exception>
    public TreeArrays WithLeaves(double[] leafValues, int width, int[]? featureMap = null) => new()
    {
        LeftChild = Arrays.LeftChild,
        RightChild = Arrays.RightChild,
        SplitFeature = featureMap is null ? Arrays.SplitFeature : Arrays.SplitFeature.Select(f => MapFeature(featureMap, f)).ToArray(),
        Threshold = Arrays.Threshold,
        LeafValues = leafValues,
        LeafWidth = width,
    };

    private static int MapFeature(int[] featureMap, int feature) =>
        (uint)feature < (uint)featureMap.Length
            ? featureMap[feature]
            : throw new SklearnModelException($"a tree splits on its feature {feature}, but its feature list has {featureMap.Length}");

    /// <summary>
    /// Each node's class values divided by their sum per output (a sum of 0 counts as 1), as
    /// DecisionTreeClassifier.predict_proba does; <see cref="Width"/> values per node.
    /// </summary>
    public double[] NormalizedValues()
    {
        var n = Arrays.NodeCount;
        var c = ClassesPerOutput;
        var result = new double[n * Width];
        for (var i = 0; i < n; i++)
        {
            for (var o = 0; o < Outputs; o++)
            {
                var at = i * Width + o * c;
                double sum = 0;
                for (var k = 0; k < c; k++)
                {
                    sum += Values[at + k];
                }

                if (sum == 0)
                {
                    sum = 1;
                }

                for (var k = 0; k < c; k++)
                {
                    result[at + k] = Values[at + k] / sum;
                }
            }
        }

        return result;
    }

    private static int[] ToInts(double[] values) => values.Select(v => checked((int)v)).ToArray();
}
