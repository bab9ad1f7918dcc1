using System.Text.Json;
using ServeSharp.Abstractions;
using ServeSharp.Protocol.Json;

namespace ServeSharp.Protocol.V1;

/// <summary>Turns a V1 list of rows/scalars into one tensor: shape from the nesting, datatype from the leaves.</summary>
internal static class V1ListDecoder
{
    [Flags]
    private enum LeafKinds
    {
        None = 0,
        Integer = 1,
        Float = 2,
        Bool = 4,
        String = 8,
        Null = 16,
    }

    public static Tensor Decode(ReadOnlySpan<byte> list, string key)
    {
        if (PlainNumberArrayReader.TryReadV1(list) is var (fastShape, fastType, fastData))
        {
            return new Tensor(V1RequestDecoder.InputName, fastType, fastShape, fastData);
        }

        var (shape, kinds) = Analyse(list, key);
        var count = Tensor.GetElementCount(shape);
        var dataType = kinds switch
        {
            LeafKinds.None or LeafKinds.Integer => TensorDataType.Int64,
            LeafKinds.Bool => TensorDataType.Bool,
            LeafKinds.String => TensorDataType.Bytes,
            _ when (kinds & (LeafKinds.Bool | LeafKinds.String)) == 0 => TensorDataType.FP64,
            _ => throw InferenceException.InvalidInput(
                $"\"{key}\" mixes {Describe(kinds)}; all values must be numbers, all booleans or all strings."),
        };
        if (kinds == LeafKinds.None)
        {
            // An empty list (or lists of empty lists): no values to infer a type from; numpy would pick float64.
            dataType = TensorDataType.FP64;
        }

        var reader = new Utf8JsonReader(list, JsonWriterSettings.ReaderOptions);
        reader.Read();
        var data = TensorJsonDataReader.Read(ref reader, dataType, count, $"\"{key}\"", shape, list.Length);
        return new Tensor(V1RequestDecoder.InputName, dataType, shape, data);
    }

    private static (long[] Shape, LeafKinds Kinds) Analyse(ReadOnlySpan<byte> list, string key)
    {
        var reader = new Utf8JsonReader(list, JsonWriterSettings.ReaderOptions);
        var dims = new List<long>();
        var counts = new List<long>();
        var leafDepth = -1;
        var maxArrayDepth = 0;
        var kinds = LeafKinds.None;
        while (reader.Read())
        {
            var depth = counts.Count;
            switch (reader.TokenType)
            {
                case JsonTokenType.StartArray:
                    if (depth > 0)
                    {
                        counts[depth - 1]++;
                    }

                    if (leafDepth >= 0 && depth >= leafDepth)
                    {
                        throw Ragged(key);
                    }

                    counts.Add(0);
                    if (counts.Count > dims.Count)
                    {
                        dims.Add(-1);
                    }

                    maxArrayDepth = Math.Max(maxArrayDepth, counts.Count);
                    break;
                case JsonTokenType.EndArray:
                    var closed = counts[^1];
                    counts.RemoveAt(counts.Count - 1);
                    if (dims[counts.Count] < 0)
                    {
                        dims[counts.Count] = closed;
                    }
                    else if (dims[counts.Count] != closed)
                    {
                        throw Ragged(key);
                    }

                    break;
                case JsonTokenType.StartObject:
                    throw InferenceException.InvalidInput(
                        $"\"{key}\" mixes objects with other values; send either a list of rows or a list of column dicts.");
                default:
                    if (leafDepth < 0)
                    {
                        if (maxArrayDepth > depth)
                        {
                            throw Ragged(key);
                        }

                        leafDepth = depth;
                    }
                    else if (leafDepth != depth)
                    {
                        throw Ragged(key);
                    }

                    counts[depth - 1]++;
                    kinds |= Classify(ref reader);
                    break;
            }
        }

        var rank = leafDepth >= 0 ? leafDepth : maxArrayDepth;
        return ([.. dims.GetRange(0, rank)], kinds);
    }

    private static LeafKinds Classify(ref Utf8JsonReader reader) => reader.TokenType switch
    {
        JsonTokenType.Number when reader.ValueSpan.IndexOfAny((byte)'.', (byte)'e', (byte)'E') < 0 && reader.TryGetInt64(out _)
            => LeafKinds.Integer,
        JsonTokenType.Number => LeafKinds.Float,
        JsonTokenType.True or JsonTokenType.False => LeafKinds.Bool,
        JsonTokenType.String => LeafKinds.String,
        _ => LeafKinds.Null,
    };

    private static string Describe(LeafKinds kinds)
    {
        var parts = new List<string>();
        if ((kinds & (LeafKinds.Integer | LeafKinds.Float)) != 0)
        {
            parts.Add("numbers");
        }

        if ((kinds & LeafKinds.Bool) != 0)
        {
            parts.Add("booleans");
        }

        if ((kinds & LeafKinds.String) != 0)
        {
            parts.Add("strings");
        }

        if ((kinds & LeafKinds.Null) != 0)
        {
            parts.Add("nulls");
        }

        return string.Join(" and ", parts);
    }

    private static InferenceException Ragged(string key) =>
        InferenceException.InvalidInput(
            $"\"{key}\" is a ragged list: every row must have the same length and nesting depth.");
}
