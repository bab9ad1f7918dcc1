using ServeSharp.Abstractions;
using ServeSharp.Runtimes.Sklearn.Estimators.Linear;

namespace ServeSharp.Runtimes.Sklearn.Estimators.Trees;

/// <summary>Input checks shared by the tree models.</summary>
internal static class TreeInput
{
    /// <summary>
    /// The row-major features; scikit-learn 1.2 trees, forests and GradientBoosting reject NaN and infinity
    /// (<c>Input X contains NaN.</c>), HistGradientBoosting accepts NaN.
    /// </summary>
    public static double[] Matrix(FeatureFrame x, int features, bool allowNaN)
    {
        LinearFunction.CheckFeatures(x, features);
        var m = x.ToMatrix();
        if (!allowNaN)
        {
            foreach (var v in m)
            {
                if (!double.IsFinite(v) || Math.Abs(v) > float.MaxValue)
                {
                    throw InferenceException.InvalidInput(double.IsNaN(v)
                        ? "Input X contains NaN."
                        : "Input X contains infinity or a value too large for dtype('float32').");
                }
            }
        }

        return m;
    }
}
