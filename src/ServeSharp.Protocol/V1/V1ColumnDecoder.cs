using System.Text.Json;
using ServeSharp.Abstractions;
using ServeSharp.Protocol.Json;

namespace ServeSharp.Protocol.V1;

/// <summary>
/// Turns a V1 list of column-oriented dicts (KServe builds a pandas DataFrame from each and concatenates them)
/// into one <c>[rows]</c> tensor per column.
/// </summary>
internal static class V1ColumnDecoder
{
    public static IReadOnlyList<Tensor> Decode(ReadOnlySpan<byte> list, string key)
    {
        var columns = new List<ColumnBuilder>();
        var reader = new Utf8JsonReader(list, JsonWriterSettings.ReaderOptions);
        reader.Read();
        var totalRows = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                throw InferenceException.InvalidInput(
                    $"\"{key}\" mixes column dicts with other values; every element must be an object like {{\"feature\": [1, 2]}}.");
            }

            var rowsInThisDict = -1;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = JsonStrings.Get(ref reader);
                var column = columns.Find(c => c.Name == name);
                if (column is null)
                {
                    if (totalRows > 0)
                    {
                        throw MissingColumn(key, name);
                    }

                    column = new ColumnBuilder(name);
                    columns.Add(column);
                }

                reader.Read();
                var added = 0;
                if (reader.TokenType == JsonTokenType.StartArray)
                {
                    while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                    {
                        column.Add(ref reader, key);
                        added++;
                    }
                }
                else
                {
                    column.Add(ref reader, key);
                    added = 1;
                }

                if (rowsInThisDict >= 0 && rowsInThisDict != added)
                {
                    throw InferenceException.InvalidInput(
                        $"The column dicts in \"{key}\" must give every column the same number of values; '{name}' has {added}, another column has {rowsInThisDict}.");
                }

                rowsInThisDict = added;
            }

            totalRows += Math.Max(rowsInThisDict, 0);
            foreach (var column in columns)
            {
                if (column.Count != totalRows)
                {
                    throw MissingColumn(key, column.Name);
                }
            }
        }

        return columns.ConvertAll(c => c.Build(key));
    }

    private static InferenceException MissingColumn(string key, string name) =>
        InferenceException.InvalidInput($"Every dict in \"{key}\" must have the same columns; column '{name}' is missing from some of them.");

    private sealed class ColumnBuilder(string name)
    {
        private readonly List<double> _numbers = [];
        private readonly List<long> _integers = [];
        private readonly List<bool> _bools = [];
        private readonly List<byte[]> _strings = [];
        private bool _hasFloat;
        private bool _hasInteger;

        public string Name { get; } = name;

        public int Count { get; private set; }

        public void Add(ref Utf8JsonReader reader, string key)
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.Number:
                    if (reader.ValueSpan.IndexOfAny((byte)'.', (byte)'e', (byte)'E') < 0 && reader.TryGetInt64(out var l))
                    {
                        _integers.Add(l);
                        _numbers.Add(l);
                        _hasInteger = true;
                    }
                    else
                    {
                        _integers.Add(0);
                        _numbers.Add(reader.GetDouble());
                        _hasFloat = true;
                    }

                    break;
                case JsonTokenType.Null:
                    _integers.Add(0);
                    _numbers.Add(double.NaN);
                    _hasFloat = true;
                    break;
                case JsonTokenType.True or JsonTokenType.False:
                    _bools.Add(reader.TokenType == JsonTokenType.True);
                    break;
                case JsonTokenType.String:
                    _strings.Add(JsonStringBytes.Read(ref reader));
                    break;
                default:
                    throw InferenceException.InvalidInput(
                        $"Column '{Name}' in \"{key}\" holds a nested {(reader.TokenType == JsonTokenType.StartObject ? "object" : "list")}; column values must be numbers, booleans or strings.");
            }

            Count++;
        }

        public Tensor Build(string key)
        {
            var numbers = _integers.Count;
            long[] shape = [Count];
            if (numbers == Count)
            {
                return _hasFloat || !_hasInteger
                    ? new Tensor(Name, TensorDataType.FP64, shape, _numbers.ToArray())
                    : new Tensor(Name, TensorDataType.Int64, shape, _integers.ToArray());
            }

            if (_bools.Count == Count)
            {
                return new Tensor(Name, TensorDataType.Bool, shape, _bools.ToArray());
            }

            if (_strings.Count == Count)
            {
                return new Tensor(Name, TensorDataType.Bytes, shape, _strings.ToArray());
            }

            throw InferenceException.InvalidInput(
                $"Column '{Name}' in \"{key}\" mixes numbers, booleans and strings; a column must hold one kind of value.");
        }
    }
}
