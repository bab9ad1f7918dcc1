using System.Globalization;
using System.Text;
using ServeSharp.Runtimes.Trees.Engine;

namespace ServeSharp.Runtimes.Trees.LightGbm;

/// <summary>
/// Parses LightGBM's text model format (<c>Booster.save_model</c>, <c>LGBM_BoosterSaveModel</c>): a header of
/// <c>key=value</c> lines, then one block per tree (<c>Tree=N</c> … blank line) up to <c>end of trees</c>.
/// Internal nodes are 0..L-2, children are node indices or <c>~leaf</c>; decision_type bit 0 = categorical,
/// bit 1 = default left, bits 2-3 = missing type (0 None, 1 Zero, 2 NaN). Every count is checked against the
/// arrays actually present.
/// </summary>
internal static class LightGbmModelText
{
    /// <summary>Upper bound on leaves per tree and on features, against hostile headers.</summary>
    public const int MaxLeaves = 1 << 22;

    public const int MaxFeatures = 1 << 24;

    /// <exception cref="FormatException">The text is not a valid LightGBM model; the message says where.</exception>
    public static LightGbmBooster Parse(string text)
    {
        var lines = text.Split('\n');
        var i = 0;
        if (lines.Length == 0 || lines[0].TrimEnd('\r') != "tree")
        {
            throw new FormatException("not a LightGBM text model (first line is not 'tree')");
        }

        var header = new Dictionary<string, string>(StringComparer.Ordinal);
        var averageOutput = false;
        for (i = 1; i < lines.Length; i++)
        {
            var line = lines[i].TrimEnd('\r');
            if (line.StartsWith("Tree=", StringComparison.Ordinal) || line == "end of trees")
            {
                break;
            }

            if (line == "average_output")
            {
                averageOutput = true;
                continue;
            }

            var eq = line.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0)
            {
                header[line[..eq]] = line[(eq + 1)..];
            }
        }

        var maxFeature = Int(header, "max_feature_idx");
        if (maxFeature < 0 || maxFeature >= MaxFeatures)
        {
            throw new FormatException($"max_feature_idx {maxFeature} is out of range");
        }

        var featureCount = maxFeature + 1;
        var classCount = header.ContainsKey("num_class") ? Int(header, "num_class") : 1;
        var perIteration = header.ContainsKey("num_tree_per_iteration") ? Int(header, "num_tree_per_iteration") : classCount;
        if (classCount < 1 || classCount > 1 << 16 || perIteration < 1 || perIteration > 1 << 16)
        {
            throw new FormatException($"num_class {classCount} / num_tree_per_iteration {perIteration} out of range");
        }

        string[]? names = null;
        if (header.TryGetValue("feature_names", out var namesLine))
        {
            names = namesLine.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (names.Length != featureCount)
            {
                throw new FormatException($"feature_names lists {names.Length} names but max_feature_idx says {featureCount} features");
            }
        }

        var trees = new List<TreeArrays>();
        var treeBlock = new Dictionary<string, string>(StringComparer.Ordinal);
        var sawEnd = false;
        while (i < lines.Length)
        {
            var line = lines[i].TrimEnd('\r');
            if (line == "end of trees")
            {
                sawEnd = true;
                break;
            }

            if (!line.StartsWith("Tree=", StringComparison.Ordinal))
            {
                i++;
                continue;
            }

            var treeNo = trees.Count;
            if (line != "Tree=" + treeNo.ToString(CultureInfo.InvariantCulture))
            {
                throw new FormatException($"expected 'Tree={treeNo}' but found '{Shorten(line)}'");
            }

            treeBlock.Clear();
            for (i++; i < lines.Length; i++)
            {
                var l = lines[i].TrimEnd('\r');
                if (l.Length == 0 || l.StartsWith("Tree=", StringComparison.Ordinal) || l == "end of trees")
                {
                    break;
                }

                var eq = l.IndexOf('=', StringComparison.Ordinal);
                if (eq > 0)
                {
                    treeBlock[l[..eq]] = l[(eq + 1)..];
                }
            }

            trees.Add(ParseTree(treeBlock, treeNo, featureCount));
        }

        if (!sawEnd)
        {
            throw new FormatException("the file ends before 'end of trees' (truncated?)");
        }

        if (trees.Count % perIteration != 0)
        {
            throw new FormatException($"{trees.Count} trees is not a multiple of num_tree_per_iteration {perIteration}");
        }

        return new LightGbmBooster
        {
            FeatureCount = featureCount,
            TreesPerIteration = perIteration,
            ClassCount = classCount,
            Objective = LightGbmObjective.Parse(header.GetValueOrDefault("objective")),
            AverageOutput = averageOutput,
            FeatureNames = names,
            Trees = trees,
            PandasCategoryColumns = PandasCategorical.ColumnCount(lines),
        };
    }

    private static TreeArrays ParseTree(Dictionary<string, string> block, int treeNo, int featureCount)
    {
        var where = $"Tree={treeNo}";
        var leaves = Int(block, "num_leaves", where);
        if (leaves < 1 || leaves > MaxLeaves)
        {
            throw new FormatException($"{where}: num_leaves {leaves} is out of range");
        }

        var leafValues = Doubles(block, "leaf_value", leaves, where);
        var isLinear = block.TryGetValue("is_linear", out var lin) && lin.Trim() == "1";
        LinearLeaf?[]? linear = isLinear ? ParseLinear(block, leaves, where) : null;
        var internalCount = leaves - 1;
        var n = internalCount + leaves;
        var left = new int[n];
        var right = new int[n];
        var feature = new int[n];
        var threshold = new double[n];
        var values = new double[n];
        var defaultLeft = new bool[n];
        var rules = new MissingValueRule[n];
        uint[]?[]? bitsets = null;
        LinearLeaf?[]? nodeLinear = linear is null ? null : new LinearLeaf?[n];
        for (var l = 0; l < leaves; l++)
        {
            left[internalCount + l] = -1;
            right[internalCount + l] = -1;
            values[internalCount + l] = leafValues[l];
            if (nodeLinear is not null)
            {
                nodeLinear[internalCount + l] = linear![l];
            }
        }

        if (internalCount > 0)
        {
            var splitFeature = Ints(block, "split_feature", internalCount, where);
            var thresholds = Doubles(block, "threshold", internalCount, where);
            var decision = Ints(block, "decision_type", internalCount, where);
            var leftChild = Ints(block, "left_child", internalCount, where);
            var rightChild = Ints(block, "right_child", internalCount, where);
            var catCount = block.ContainsKey("num_cat") ? Int(block, "num_cat", where) : 0;
            int[] catBoundaries = [];
            uint[] catThreshold = [];
            if (catCount < 0 || catCount > internalCount)
            {
                throw new FormatException($"{where}: num_cat {catCount} is out of range");
            }

            if (catCount > 0)
            {
                catBoundaries = Ints(block, "cat_boundaries", catCount + 1, where);
                catThreshold = Words(block, "cat_threshold", where);
                for (var c = 0; c < catCount; c++)
                {
                    if (catBoundaries[c] < 0 || catBoundaries[c] > catBoundaries[c + 1] || catBoundaries[c + 1] > catThreshold.Length)
                    {
                        throw new FormatException($"{where}: cat_boundaries are inconsistent with cat_threshold");
                    }
                }
            }

            for (var k = 0; k < internalCount; k++)
            {
                left[k] = Child(leftChild[k], internalCount, where);
                right[k] = Child(rightChild[k], internalCount, where);
                feature[k] = splitFeature[k];
                var type = decision[k];
                defaultLeft[k] = (type & 2) != 0;
                var missing = (type >> 2) & 3;
                rules[k] = missing switch
                {
                    0 => MissingValueRule.NaNAsZero,
                    1 => MissingValueRule.ZeroOrNaN,
                    2 => MissingValueRule.NaN,
                    _ => throw new FormatException($"{where}: node {k} has an unknown missing type {missing}"),
                };
                if ((type & 1) != 0)
                {
                    var catIndex = thresholds[k];
                    if (!(catIndex >= 0 && catIndex < catCount) || catIndex != Math.Floor(catIndex))
                    {
                        throw new FormatException($"{where}: categorical node {k} refers to category set {catIndex} of {catCount}");
                    }

                    var c = (int)catIndex;
                    bitsets ??= new uint[]?[n];
                    bitsets[k] = catThreshold[catBoundaries[c]..catBoundaries[c + 1]];
                    defaultLeft[k] = false; // CategoricalDecision sends NaN right
                }
                else
                {
                    threshold[k] = thresholds[k];
                }
            }
        }

        return new TreeArrays
        {
            LeftChild = left,
            RightChild = right,
            SplitFeature = feature,
            Threshold = threshold,
            LeafValues = values,
            DefaultLeft = defaultLeft,
            MissingRule = rules,
            CategoryBitsets = bitsets,
            LinearLeaves = nodeLinear,
        };
    }

    private static LinearLeaf?[] ParseLinear(Dictionary<string, string> block, int leaves, string where)
    {
        var constants = Doubles(block, "leaf_const", leaves, where);
        var counts = Ints(block, "num_features", leaves, where);
        var features = Tokens(block, "leaf_features", where);
        var coefficients = Tokens(block, "leaf_coeff", where);
        var total = counts.Sum(c => (long)c);
        if (counts.Any(c => c < 0) || features.Length != total || coefficients.Length != total)
        {
            throw new FormatException($"{where}: linear leaves list {features.Length} features and {coefficients.Length} coefficients; num_features sums to {total}");
        }

        var result = new LinearLeaf?[leaves];
        var at = 0;
        for (var l = 0; l < leaves; l++)
        {
            var f = new int[counts[l]];
            var c = new double[counts[l]];
            for (var k = 0; k < counts[l]; k++, at++)
            {
                f[k] = ParseInt(features[at], "leaf_features", where);
                c[k] = ParseDouble(coefficients[at], "leaf_coeff", where);
            }

            result[l] = new LinearLeaf(constants[l], f, c);
        }

        return result;
    }

    private static int Child(int child, int internalCount, string where)
    {
        if (child >= 0)
        {
            return child < internalCount ? child : throw new FormatException($"{where}: child {child} is out of range");
        }

        var leaf = ~child;
        return leaf <= internalCount ? internalCount + leaf : throw new FormatException($"{where}: leaf {leaf} is out of range");
    }

    private static string Required(Dictionary<string, string> map, string key, string where) =>
        map.TryGetValue(key, out var v) ? v : throw new FormatException($"{where}: '{key}' is missing");

    private static int Int(Dictionary<string, string> map, string key, string where = "header") =>
        ParseInt(Required(map, key, where).Trim(), key, where);

    private static string[] Tokens(Dictionary<string, string> map, string key, string where) =>
        Required(map, key, where).Split(' ', StringSplitOptions.RemoveEmptyEntries);

    private static int[] Ints(Dictionary<string, string> map, string key, int count, string where)
    {
        var tokens = Tokens(map, key, where);
        if (tokens.Length != count)
        {
            throw new FormatException($"{where}: '{key}' has {tokens.Length} values; expected {count}");
        }

        return Array.ConvertAll(tokens, t => ParseInt(t, key, where));
    }

    private static double[] Doubles(Dictionary<string, string> map, string key, int count, string where)
    {
        var tokens = Tokens(map, key, where);
        if (tokens.Length != count)
        {
            throw new FormatException($"{where}: '{key}' has {tokens.Length} values; expected {count}");
        }

        return Array.ConvertAll(tokens, t => ParseDouble(t, key, where));
    }

    private static uint[] Words(Dictionary<string, string> map, string key, string where) =>
        Array.ConvertAll(Tokens(map, key, where), t => uint.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out var v)
            ? v
            : throw new FormatException($"{where}: '{key}' holds '{Shorten(t)}', not a 32-bit word"));

    private static int ParseInt(string token, string key, string where) =>
        int.TryParse(token, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v)
            ? v
            : throw new FormatException($"{where}: '{key}' holds '{Shorten(token)}', not an integer");

    private static double ParseDouble(string token, string key, string where)
    {
        if (double.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out var v))
        {
            return v;
        }

        // LightGBM writes non-finite values the way C++ streams do.
        return token switch
        {
            "inf" or "+inf" or "Infinity" => double.PositiveInfinity,
            "-inf" or "-Infinity" => double.NegativeInfinity,
            "nan" or "-nan" or "NaN" => double.NaN,
            _ => throw new FormatException($"{where}: '{key}' holds '{Shorten(token)}', not a number"),
        };
    }

    private static string Shorten(string s) => s.Length <= 40 ? s : s[..40] + "…";

    /// <summary>True when the text starts like a LightGBM model (first line <c>tree</c>).</summary>
    public static bool LooksLikeLightGbm(ReadOnlySpan<byte> head) =>
        head.StartsWith("tree\n"u8) || head.StartsWith("tree\r\n"u8);

    /// <summary>Decodes the file as UTF-8.</summary>
    public static string Decode(byte[] bytes) => Encoding.UTF8.GetString(bytes);
}
