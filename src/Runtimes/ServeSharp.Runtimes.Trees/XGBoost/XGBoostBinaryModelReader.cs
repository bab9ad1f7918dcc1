using System.Buffers.Binary;
using System.Text;

namespace ServeSharp.Runtimes.Trees.XGBoost;

/// <summary>
/// Reads XGBoost's legacy binary model format (<c>Booster.save_model("x.bst")</c> before 2.0; starts with
/// <c>binf</c>). Layout (little-endian): LearnerModelParamLegacy (136 bytes), objective and booster names
/// (u64 length + bytes), then the booster: GBTreeModelParam (160 bytes), per tree TreeParam (148 bytes) +
/// nodes (20 bytes each) + stats (16 bytes each), tree_info (i32 per tree), DART weights (u64 count + f32s);
/// or GBLinearModelParam (136 bytes) + weights. Every count is checked against the bytes left before allocating.
/// </summary>
internal sealed class XGBoostBinaryModelReader
{
    private const int LearnerParamSize = 136;
    private const int GBTreeParamSize = 160;
    private const int TreeParamSize = 148;
    private const int NodeSize = 20;
    private const int NodeStatSize = 16;
    private const int GBLinearParamSize = 136;

    private readonly byte[] _bytes;
    private int _pos;

    private XGBoostBinaryModelReader(byte[] bytes) => _bytes = bytes;

    /// <summary>True when the data starts with the binary magic <c>binf</c>.</summary>
    public static bool HasMagic(ReadOnlySpan<byte> head) => head.StartsWith("binf"u8);

    /// <exception cref="FormatException">The data is truncated or inconsistent; the message says where.</exception>
    public static XGBoostBooster Read(byte[] bytes)
    {
        var reader = new XGBoostBinaryModelReader(bytes);
        return reader.ReadLearner();
    }

    private XGBoostBooster ReadLearner()
    {
        if (!HasMagic(_bytes))
        {
            throw new FormatException("not an XGBoost binary model (missing 'binf' magic)");
        }

        _pos = 4;
        var learner = Take(LearnerParamSize, "learner parameters");
        var baseScore = BinaryPrimitives.ReadSingleLittleEndian(learner);
        var featureCount = BinaryPrimitives.ReadUInt32LittleEndian(learner[4..]);
        var classCount = BinaryPrimitives.ReadInt32LittleEndian(learner[8..]);
        var major = BinaryPrimitives.ReadUInt32LittleEndian(learner[20..]);
        var targetCount = BinaryPrimitives.ReadUInt32LittleEndian(learner[28..]);
        if (featureCount > int.MaxValue || classCount < 0)
        {
            throw new FormatException($"invalid feature count {featureCount} or class count {classCount}");
        }

        var hasAttributes = BinaryPrimitives.ReadInt32LittleEndian(learner[12..]) != 0;
        var hasMetrics = BinaryPrimitives.ReadInt32LittleEndian(learner[16..]) != 0;
        var objective = ReadString("objective name", 1024);
        var booster = ReadString("booster name", 1024);
        var common = (Objective: objective, BaseScore: baseScore, Features: (int)featureCount, Classes: classCount,
            Targets: targetCount is 0 or > int.MaxValue ? 1 : (int)targetCount, Legacy: major < 1);
        var result = booster switch
        {
            "gbtree" or "dart" => ReadTrees(common, booster),
            "gblinear" => ReadLinear(common),
            _ => throw new FormatException($"unsupported booster '{booster}' (expected gbtree, dart or gblinear)"),
        };

        // Attributes (vector of string pairs) and evaluation metric names (vector of strings) follow; they do not
        // affect prediction but are read so a truncated file is recognised as such.
        if (hasAttributes)
        {
            ReadStrings("attributes", pairs: true);
        }

        if (hasMetrics)
        {
            ReadStrings("evaluation metrics", pairs: false);
        }

        return result;
    }

    private void ReadStrings(string what, bool pairs)
    {
        var count = BinaryPrimitives.ReadUInt64LittleEndian(Take(8, what + " count"));
        if (count > (ulong)(_bytes.Length - _pos) / 8)
        {
            throw new FormatException($"{what} claims {count} entries, which do not fit in the file");
        }

        for (ulong i = 0; i < count * (pairs ? 2UL : 1UL); i++)
        {
            ReadString(what, int.MaxValue);
        }
    }

    private XGBoostBooster ReadTrees((string Objective, float BaseScore, int Features, int Classes, int Targets, bool Legacy) c, string booster)
    {
        var param = Take(GBTreeParamSize, "gbtree parameters");
        var treeCount = BinaryPrimitives.ReadInt32LittleEndian(param);
        var leafVector = BinaryPrimitives.ReadInt32LittleEndian(param[28..]);
        if (treeCount < 0 || (long)treeCount * TreeParamSize > _bytes.Length - _pos)
        {
            throw new FormatException($"tree count {treeCount} does not fit in the file");
        }

        if (leafVector != 0)
        {
            throw new FormatException($"leaf vectors (size_leaf_vector {leafVector}) are not supported");
        }

        var trees = new List<XGBoostTree>(treeCount);
        for (var t = 0; t < treeCount; t++)
        {
            trees.Add(ReadTree(t));
        }

        var treeInfo = new int[treeCount];
        var info = Take(4L * treeCount, "tree_info");
        for (var t = 0; t < treeCount; t++)
        {
            treeInfo[t] = BinaryPrimitives.ReadInt32LittleEndian(info[(4 * t)..]);
        }

        float[]? weights = null;
        if (booster == "dart")
        {
            weights = treeCount == 0 ? [] : ReadFloatVector("dart weight_drop");
        }

        return new XGBoostBooster
        {
            Objective = c.Objective, BaseScore = c.BaseScore, BaseScoreIsMargin = c.Legacy, FeatureCount = c.Features,
            ClassCount = c.Classes, TargetCount = c.Targets, BoosterName = booster,
            Trees = trees, TreeInfo = treeInfo, WeightDrop = weights,
        };
    }

    private XGBoostTree ReadTree(int index)
    {
        var param = Take(TreeParamSize, $"tree {index} parameters");
        var nodeCount = BinaryPrimitives.ReadInt32LittleEndian(param[4..]);
        if (nodeCount <= 0 || (long)nodeCount * (NodeSize + NodeStatSize) > _bytes.Length - _pos)
        {
            throw new FormatException($"tree {index} claims {nodeCount} nodes, which do not fit in the file");
        }

        var nodes = Take((long)nodeCount * NodeSize, $"tree {index} nodes");
        Take((long)nodeCount * NodeStatSize, $"tree {index} node statistics");
        var left = new int[nodeCount];
        var right = new int[nodeCount];
        var feature = new int[nodeCount];
        var condition = new float[nodeCount];
        var defaultLeft = new bool[nodeCount];
        for (var i = 0; i < nodeCount; i++)
        {
            var node = nodes.Slice(i * NodeSize, NodeSize);
            left[i] = BinaryPrimitives.ReadInt32LittleEndian(node[4..]);
            right[i] = BinaryPrimitives.ReadInt32LittleEndian(node[8..]);
            var sindex = BinaryPrimitives.ReadUInt32LittleEndian(node[12..]);
            feature[i] = (int)(sindex & 0x7FFFFFFFu);
            defaultLeft[i] = (sindex >> 31) != 0;
            condition[i] = BinaryPrimitives.ReadSingleLittleEndian(node[16..]);
        }

        return new XGBoostTree
        {
            LeftChildren = left, RightChildren = right, SplitIndices = feature, SplitConditions = condition,
            DefaultLeft = defaultLeft,
        };
    }

    private XGBoostBooster ReadLinear((string Objective, float BaseScore, int Features, int Classes, int Targets, bool Legacy) c)
    {
        Take(GBLinearParamSize, "gblinear parameters");
        return new XGBoostBooster
        {
            Objective = c.Objective, BaseScore = c.BaseScore, BaseScoreIsMargin = c.Legacy, FeatureCount = c.Features,
            ClassCount = c.Classes, TargetCount = c.Targets, BoosterName = "gblinear",
            LinearWeights = ReadFloatVector("gblinear weights"),
        };
    }

    private float[] ReadFloatVector(string what)
    {
        var count = BinaryPrimitives.ReadUInt64LittleEndian(Take(8, what + " length"));
        if (count > (ulong)(_bytes.Length - _pos) / 4)
        {
            throw new FormatException($"{what} claims {count} values, which do not fit in the file");
        }

        var data = Take((long)count * 4, what);
        var result = new float[count];
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = BinaryPrimitives.ReadSingleLittleEndian(data[(4 * i)..]);
        }

        return result;
    }

    private string ReadString(string what, int maxLength)
    {
        var length = BinaryPrimitives.ReadUInt64LittleEndian(Take(8, what + " length"));
        if (length > (ulong)maxLength)
        {
            throw new FormatException($"{what} claims {length} bytes");
        }

        return Encoding.UTF8.GetString(Take((long)length, what));
    }

    private ReadOnlySpan<byte> Take(long count, string what)
    {
        if (count < 0 || count > _bytes.Length - _pos)
        {
            throw new FormatException($"file ends inside the {what} (offset {_pos}, {count} bytes needed, {_bytes.Length - _pos} left)");
        }

        var span = _bytes.AsSpan(_pos, (int)count);
        _pos += (int)count;
        return span;
    }
}
