namespace ServeSharp.Bench.Trees;

/// <summary>Deterministic synthetic regression data shared by both libraries.</summary>
internal static class BenchData
{
    public const int Features = 20;

    public static float[] Matrix(int rows, int seed)
    {
        var random = new Random(seed);
        var x = new float[rows * Features];
        for (var i = 0; i < x.Length; i++)
        {
            x[i] = random.NextDouble() < 0.05 ? float.NaN : (float)(random.NextDouble() * 4 - 2);
        }

        return x;
    }

    public static float[] Labels(float[] x, int rows)
    {
        var y = new float[rows];
        for (var r = 0; r < rows; r++)
        {
            float V(int j) => float.IsNaN(x[r * Features + j]) ? 0 : x[r * Features + j];
            y[r] = V(0) + 0.5f * V(1) * V(1) - V(2) + MathF.Sin(3 * V(3)) + 0.2f * V(4) * V(5);
        }

        return y;
    }
}
