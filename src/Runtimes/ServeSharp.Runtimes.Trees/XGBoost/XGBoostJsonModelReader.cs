using System.Globalization;
using System.Text.Json.Nodes;

namespace ServeSharp.Runtimes.Trees.XGBoost;

/// <summary>Reads the JSON/UBJSON model schema of XGBoost ≥ 1.0 (the same document in both encodings).</summary>
internal static class XGBoostJsonModelReader
{
    /// <summary>Largest category value accepted in a categorical split (bitsets are sized by it).</summary>
    public const int MaxCategory = 1 << 20;

    /// <exception cref="FormatException">The document does not follow the schema; the message names the field.</exception>
    public static XGBoostBooster Read(JsonNode? root)
    {
        var learner = Object(Object(root, "document")["learner"], "learner");
        var param = Object(learner["learner_model_param"], "learner.learner_model_param");
        var objective = String(Object(learner["objective"], "learner.objective")["name"], "learner.objective.name");
        var featureCount = ParseInt(param["num_feature"], "num_feature");
        var classCount = ParseInt(param["num_class"], "num_class");
        var targetCount = param["num_target"] is null ? 1 : ParseInt(param["num_target"], "num_target");
        var baseScore = ParseFloat(param["base_score"], "base_score");
        var gb = Object(learner["gradient_booster"], "learner.gradient_booster");
        var name = String(gb["name"], "gradient_booster.name");
        var featureNames = learner["feature_names"] is JsonArray names && names.Count > 0
            ? names.Select((n, i) => String(n, $"feature_names[{i}]")).ToArray()
            : null;
        if (featureNames is not null && featureNames.Length != featureCount)
        {
            throw new FormatException($"feature_names has {featureNames.Length} names but num_feature is {featureCount}.");
        }

        switch (name)
        {
            case "gblinear":
            {
                var model = Object(gb["model"], "gradient_booster.model");
                return new XGBoostBooster
                {
                    Objective = objective, BaseScore = baseScore, FeatureCount = featureCount,
                    ClassCount = classCount, TargetCount = targetCount, BoosterName = name,
                    LinearWeights = FloatArray(model["weights"], "gblinear weights"),
                    FeatureNames = featureNames,
                };
            }

            case "gbtree":
            case "dart":
            {
                var tree = name == "dart" ? Object(gb["gbtree"], "gradient_booster.gbtree") : gb;
                var model = Object(tree["model"], "gbtree.model");
                var trees = Array(model["trees"], "gbtree.model.trees");
                var parsed = new List<XGBoostTree>(trees.Count);
                for (var i = 0; i < trees.Count; i++)
                {
                    parsed.Add(ReadTree(Object(trees[i], $"trees[{i}]"), i));
                }

                var treeInfo = IntArray(model["tree_info"], "tree_info");
                var weightDrop = name == "dart" ? FloatArray(gb["weight_drop"], "weight_drop") : null;
                return new XGBoostBooster
                {
                    Objective = objective, BaseScore = baseScore, FeatureCount = featureCount,
                    ClassCount = classCount, TargetCount = targetCount, BoosterName = name,
                    Trees = parsed, TreeInfo = treeInfo, WeightDrop = weightDrop, FeatureNames = featureNames,
                };
            }

            default:
                throw new FormatException($"unsupported booster '{name}' (expected gbtree, dart or gblinear).");
        }
    }

    private static XGBoostTree ReadTree(JsonObject tree, int index)
    {
        var where = $"trees[{index}]";
        var left = IntArray(tree["left_children"], where + ".left_children");
        var n = left.Length;
        var right = IntArray(tree["right_children"], where + ".right_children");
        var indices = IntArray(tree["split_indices"], where + ".split_indices");
        var conditions = FloatArray(tree["split_conditions"], where + ".split_conditions");
        var defaults = IntArray(tree["default_left"], where + ".default_left");
        if (right.Length != n || indices.Length != n || conditions.Length != n || defaults.Length != n)
        {
            throw new FormatException($"{where}: node arrays have different lengths.");
        }

        uint[]?[]? bitsets = null;
        if (tree["split_type"] is JsonArray splitTypes && splitTypes.Any(t => t is not null && t.GetValue<double>() != 0))
        {
            var nodes = IntArray(tree["categories_nodes"], where + ".categories_nodes");
            var segments = IntArray(tree["categories_segments"], where + ".categories_segments");
            var sizes = IntArray(tree["categories_sizes"], where + ".categories_sizes");
            var categories = IntArray(tree["categories"], where + ".categories");
            if (segments.Length != nodes.Length || sizes.Length != nodes.Length)
            {
                throw new FormatException($"{where}: categorical arrays have different lengths.");
            }

            bitsets = new uint[]?[n];
            for (var c = 0; c < nodes.Length; c++)
            {
                var node = nodes[c];
                if ((uint)node >= (uint)n || segments[c] < 0 || sizes[c] < 0 || (long)segments[c] + sizes[c] > categories.Length)
                {
                    throw new FormatException($"{where}: categorical split {c} points outside its arrays.");
                }

                var max = -1;
                for (var k = 0; k < sizes[c]; k++)
                {
                    var cat = categories[segments[c] + k];
                    if (cat < 0 || cat > MaxCategory)
                    {
                        throw new FormatException($"{where}: category {cat} outside 0..{MaxCategory}.");
                    }

                    max = Math.Max(max, cat);
                }

                var bits = new uint[(max >> 5) + 1];
                for (var k = 0; k < sizes[c]; k++)
                {
                    var cat = categories[segments[c] + k];
                    bits[cat >> 5] |= 1u << (cat & 31);
                }

                bitsets[node] = bits;
            }
        }

        return new XGBoostTree
        {
            LeftChildren = left, RightChildren = right, SplitIndices = indices, SplitConditions = conditions,
            DefaultLeft = System.Array.ConvertAll(defaults, d => d != 0), CategoryBitsets = bitsets,
        };
    }

    private static JsonObject Object(JsonNode? node, string what) =>
        node as JsonObject ?? throw new FormatException($"'{what}' is missing or not an object.");

    private static JsonArray Array(JsonNode? node, string what) =>
        node as JsonArray ?? throw new FormatException($"'{what}' is missing or not an array.");

    private static string String(JsonNode? node, string what) =>
        node is JsonValue v && v.TryGetValue<string>(out var s) ? s : throw new FormatException($"'{what}' is missing or not a string.");

    private static double Number(JsonNode? node, string what) =>
        node is JsonValue v && v.TryGetValue<double>(out var d) ? d
        : node is JsonValue b && b.TryGetValue<bool>(out var flag) ? (flag ? 1 : 0)
        : throw new FormatException($"'{what}' holds a non-number.");

    private static int ParseInt(JsonNode? node, string what)
    {
        var s = String(node, what);
        return int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) && v >= 0
            ? v
            : throw new FormatException($"'{what}' is '{s}', not a non-negative integer.");
    }

    private static float ParseFloat(JsonNode? node, string what)
    {
        var s = String(node, what);
        return float.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var v)
            ? v
            : throw new FormatException($"'{what}' is '{s}', not a number.");
    }

    private static int[] IntArray(JsonNode? node, string what)
    {
        var array = Array(node, what);
        var result = new int[array.Count];
        for (var i = 0; i < result.Length; i++)
        {
            var d = Number(array[i], what);
            if (d != Math.Floor(d) || d < int.MinValue || d > int.MaxValue)
            {
                throw new FormatException($"'{what}'[{i}] = {d} is not a 32-bit integer.");
            }

            result[i] = (int)d;
        }

        return result;
    }

    private static float[] FloatArray(JsonNode? node, string what)
    {
        var array = Array(node, what);
        var result = new float[array.Count];
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = (float)Number(array[i], what);
        }

        return result;
    }
}
