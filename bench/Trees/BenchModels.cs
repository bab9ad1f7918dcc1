using System.Runtime.InteropServices;
using ServeSharp.Tools.LightGbm;

namespace ServeSharp.Bench.Trees;

/// <summary>
/// Trains the benchmark models once (XGBoost through libxgboost, LightGBM through lib_lightgbm, same synthetic data)
/// and keeps the files in a cache directory, so BenchmarkDotNet's per-benchmark processes only load them.
/// </summary>
internal static class BenchModels
{
    private const int TrainRows = 5000;

    /// <summary>Cache root; change the suffix when the training recipe changes.</summary>
    private static readonly string CacheRoot = Path.Combine(Path.GetTempPath(), "servesharp-bench-trees-v1");

    public sealed record Files(string XGBoostDirectory, string LightGbmDirectory);

    /// <summary>Model files for "100x6" (100 trees) or "500" (500 trees), all of depth 6, trained if absent.</summary>
    public static Files Ensure(string model)
    {
        var trees = model switch
        {
            "100x6" => 100,
            "500" => 500,
            _ => throw new ArgumentException($"Unknown benchmark model '{model}'.", nameof(model)),
        };
        var files = new Files(Path.Combine(CacheRoot, "xgb-" + model), Path.Combine(CacheRoot, "lgb-" + model));
        var x = BenchData.Matrix(TrainRows, 1);
        var y = BenchData.Labels(x, TrainRows);
        Publish(files.XGBoostDirectory, "model.json", path => TrainXGBoost(x, y, trees, path));
        Publish(files.LightGbmDirectory, "model.txt", path => TrainLightGbm(x, y, trees, path));
        return files;
    }

    /// <summary>Writes the file under a temporary name and renames it, so a half-written model is never used.</summary>
    private static void Publish(string directory, string fileName, Action<string> train)
    {
        var path = Path.Combine(directory, fileName);
        if (File.Exists(path))
        {
            return;
        }

        Directory.CreateDirectory(directory);
        var temp = Path.Combine(directory, $"tmp-{Environment.ProcessId}-{fileName}");
        train(temp);
        File.Move(temp, path, overwrite: true);
    }

    private static void TrainXGBoost(float[] x, float[] y, int trees, string path)
    {
        var handle = GCHandle.Alloc(x, GCHandleType.Pinned);
        var labels = GCHandle.Alloc(y, GCHandleType.Pinned);
        try
        {
            XGBoostNative.Check(XGBoostNative.XGDMatrixCreateFromMat(handle.AddrOfPinnedObject(), TrainRows, BenchData.Features, float.NaN, out var dtrain));
            XGBoostNative.Check(XGBoostNative.XGDMatrixSetFloatInfo(dtrain, "label", labels.AddrOfPinnedObject(), TrainRows));
            XGBoostNative.Check(XGBoostNative.XGBoosterCreate([dtrain], 1, out var booster));
            foreach (var (k, v) in new[] { ("max_depth", "6"), ("eta", "0.1"), ("nthread", "1"), ("tree_method", "hist"), ("objective", "reg:squarederror") })
            {
                XGBoostNative.Check(XGBoostNative.XGBoosterSetParam(booster, k, v));
            }

            for (var i = 0; i < trees; i++)
            {
                XGBoostNative.Check(XGBoostNative.XGBoosterUpdateOneIter(booster, i, dtrain));
            }

            XGBoostNative.Check(XGBoostNative.XGBoosterSaveModel(booster, path));
            XGBoostNative.Check(XGBoostNative.XGBoosterFree(booster));
            XGBoostNative.Check(XGBoostNative.XGDMatrixFree(dtrain));
        }
        finally
        {
            handle.Free();
            labels.Free();
        }
    }

    private static void TrainLightGbm(float[] x, float[] y, int trees, string path)
    {
        var handle = GCHandle.Alloc(x, GCHandleType.Pinned);
        var labels = GCHandle.Alloc(y, GCHandleType.Pinned);
        try
        {
            const string parameters = "objective=regression num_leaves=64 max_depth=6 learning_rate=0.1 num_threads=1 verbose=-1 seed=1";
            LightGbmNative.Check(LightGbmNative.LGBM_DatasetCreateFromMat(handle.AddrOfPinnedObject(), LightGbmNative.DTypeFloat32, TrainRows, BenchData.Features, 1, parameters, 0, out var data));
            LightGbmNative.Check(LightGbmNative.LGBM_DatasetSetField(data, "label", labels.AddrOfPinnedObject(), TrainRows, LightGbmNative.DTypeFloat32));
            LightGbmNative.Check(LightGbmNative.LGBM_BoosterCreate(data, parameters, out var booster));
            for (var i = 0; i < trees; i++)
            {
                LightGbmNative.Check(LightGbmNative.LGBM_BoosterUpdateOneIter(booster, out _));
            }

            LightGbmNative.Check(LightGbmNative.LGBM_BoosterSaveModel(booster, 0, -1, 0, path));
            LightGbmNative.Check(LightGbmNative.LGBM_BoosterFree(booster));
            LightGbmNative.Check(LightGbmNative.LGBM_DatasetFree(data));
        }
        finally
        {
            handle.Free();
            labels.Free();
        }
    }
}
