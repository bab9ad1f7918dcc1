using ServeSharp.Abstractions;

namespace ServeSharp.Runtimes.Sklearn.Estimators;

/// <summary>Joins tensors: row blocks one under the other, or per-output columns side by side.</summary>
internal static class TensorRows
{
    /// <summary>Concatenates <paramref name="parts"/> along the first dimension (numpy <c>concatenate(axis=0)</c>).</summary>
    public static Tensor Concatenate(string name, IReadOnlyList<Tensor> parts)
    {
        var first = parts[0];
        long rows = 0;
        var length = 0;
        foreach (var p in parts)
        {
            if (p.DataType != first.DataType || p.Shape.Length != first.Shape.Length || p.Data.GetType() != first.Data.GetType())
            {
                throw new InvalidOperationException("row blocks produced outputs of different types");
            }

            rows += p.Shape[0];
            length += p.Data.Length;
        }

        var data = Array.CreateInstanceFromArrayType(first.Data.GetType(), length);
        var offset = 0;
        foreach (var p in parts)
        {
            Array.Copy(p.Data, 0, data, offset, p.Data.Length);
            offset += p.Data.Length;
        }

        var shape = (long[])first.Shape.Clone();
        shape[0] = rows;
        return new Tensor(name, first.DataType, shape, data);
    }

    /// <summary>[rows] tensors, one per output, as one [rows, outputs] tensor (numpy column_stack).</summary>
    public static Tensor SideBySide(Tensor[] columns, int rows, string name)
    {
        var first = columns[0].Data;
        var data = Array.CreateInstanceFromArrayType(first.GetType(), rows * columns.Length);
        for (var o = 0; o < columns.Length; o++)
        {
            var column = columns[o].Data;
            for (var i = 0; i < rows; i++)
            {
                data.SetValue(column.GetValue(i), i * columns.Length + o);
            }
        }

        return new Tensor(name, columns[0].DataType, [rows, columns.Length], data);
    }
}
