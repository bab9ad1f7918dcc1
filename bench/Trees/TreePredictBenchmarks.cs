using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;
using ServeSharp.Abstractions;
using ServeSharp.Runtimes.Trees.LightGbm;
using ServeSharp.Runtimes.Trees.XGBoost;
using ServeSharp.Tools.LightGbm;

namespace ServeSharp.Bench.Trees;

/// <summary>
/// Same model, same rows: ServeSharp (through <see cref="IModel.PredictAsync"/>, i.e. request tensor in, response
/// tensor out, one thread) against the native libraries on one thread. XGBoost native = DMatrix from the rows +
/// XGBoosterPredict (what xgbserver does per request); LightGBM native = the fastest single-row C call
/// (LGBM_BoosterPredictForMatSingleRowFast) for 1 row and LGBM_BoosterPredictForMat for batches.
/// Models are trained at setup: "100x6" = 100 trees of depth 6, "500" = 500 trees of depth 6.
/// </summary>
[MemoryDiagnoser]
public class TreePredictBenchmarks
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "servesharp-bench-trees-" + Environment.ProcessId);
    private IModel _xgbModel = null!;
    private IModel _lgbModel = null!;
    private nint _xgbBooster;
    private nint _lgbBooster;
    private nint _lgbFast;
    private float[] _rows = null!;
    private double[] _rowsDouble = null!;
    private GCHandle _rowsHandle;
    private GCHandle _rowsDoubleHandle;
    private double[] _lgbOut = null!;
    private GCHandle _lgbOutHandle;
    private InferenceRequest _request32 = null!;
    private InferenceRequest _request64 = null!;

    [Params("100x6", "500")]
    public string Model { get; set; } = "100x6";

    [Params(1, 1000)]
    public int Rows { get; set; } = 1;

    [GlobalSetup]
    public void Setup()
    {
        Directory.CreateDirectory(_dir);
        var trees = Model == "500" ? 500 : 100;
        var trainRows = 5000;
        var x = BenchData.Matrix(trainRows, 1);
        var y = BenchData.Labels(x, trainRows);

        var xgbDir = Path.Combine(_dir, "xgb-" + Model);
        Directory.CreateDirectory(xgbDir);
        _xgbBooster = TrainXGBoost(x, y, trainRows, trees, Path.Combine(xgbDir, "model.json"));
        _xgbModel = new XGBoostRuntime().LoadAsync(new ModelLoadContext { Name = "xgb", ModelDirectory = xgbDir }, default).AsTask().GetAwaiter().GetResult();

        var lgbDir = Path.Combine(_dir, "lgb-" + Model);
        Directory.CreateDirectory(lgbDir);
        _lgbBooster = TrainLightGbm(x, y, trainRows, trees, Path.Combine(lgbDir, "model.txt"));
        _lgbModel = new LightGbmRuntime().LoadAsync(new ModelLoadContext { Name = "lgb", ModelDirectory = lgbDir }, default).AsTask().GetAwaiter().GetResult();
        LightGbmNative.Check(LightGbmNative.LGBM_BoosterPredictForMatSingleRowFastInit(
            _lgbBooster, LightGbmNative.PredictNormal, 0, -1, LightGbmNative.DTypeFloat64, BenchData.Features, "num_threads=1", out _lgbFast));

        _rows = BenchData.Matrix(Rows, 2);
        _rowsDouble = Array.ConvertAll(_rows, v => (double)v);
        _rowsHandle = GCHandle.Alloc(_rows, GCHandleType.Pinned);
        _rowsDoubleHandle = GCHandle.Alloc(_rowsDouble, GCHandleType.Pinned);
        _lgbOut = new double[Rows];
        _lgbOutHandle = GCHandle.Alloc(_lgbOut, GCHandleType.Pinned);
        _request32 = new InferenceRequest("xgb", [new Tensor("input-0", TensorDataType.FP32, [Rows, BenchData.Features], _rows)]);
        _request64 = new InferenceRequest("lgb", [new Tensor("input-0", TensorDataType.FP64, [Rows, BenchData.Features], _rowsDouble)]);

        // Same answers before timing anything.
        var ours = XGBoostServeSharp();
        var native = XGBoostNativePredict();
        if (Math.Abs(ours - native) > 1e-3f * Math.Max(1, Math.Abs(native)))
        {
            throw new InvalidOperationException($"XGBoost mismatch: {ours} vs {native}");
        }

        var oursL = LightGbmServeSharp();
        var nativeL = LightGbmNativePredict();
        if (Math.Abs(oursL - nativeL) > 1e-9 * Math.Max(1, Math.Abs(nativeL)))
        {
            throw new InvalidOperationException($"LightGBM mismatch: {oursL} vs {nativeL}");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        LightGbmNative.Check(LightGbmNative.LGBM_FastConfigFree(_lgbFast));
        LightGbmNative.Check(LightGbmNative.LGBM_BoosterFree(_lgbBooster));
        XGBoostNative.Check(XGBoostNative.XGBoosterFree(_xgbBooster));
        _rowsHandle.Free();
        _rowsDoubleHandle.Free();
        _lgbOutHandle.Free();
        Directory.Delete(_dir, recursive: true);
    }

    [Benchmark(Description = "XGBoost ServeSharp")]
    public float XGBoostServeSharp()
    {
        var response = _xgbModel.PredictAsync(_request32, default).GetAwaiter().GetResult();
        return response.Outputs[0].GetData<float>()[^1];
    }

    [Benchmark(Description = "XGBoost native (DMatrix + predict)")]
    public float XGBoostNativePredict()
    {
        XGBoostNative.Check(XGBoostNative.XGDMatrixCreateFromMat(_rowsHandle.AddrOfPinnedObject(), (ulong)Rows, BenchData.Features, float.NaN, out var dmat));
        try
        {
            XGBoostNative.Check(XGBoostNative.XGBoosterPredict(_xgbBooster, dmat, 0, 0, 0, out var length, out var result));
            unsafe
            {
                return ((float*)result)[length - 1];
            }
        }
        finally
        {
            XGBoostNative.Check(XGBoostNative.XGDMatrixFree(dmat));
        }
    }

    [Benchmark(Description = "LightGBM ServeSharp")]
    public double LightGbmServeSharp()
    {
        var response = _lgbModel.PredictAsync(_request64, default).GetAwaiter().GetResult();
        return response.Outputs[0].GetData<double>()[^1];
    }

    [Benchmark(Description = "LightGBM native")]
    public double LightGbmNativePredict()
    {
        if (Rows == 1)
        {
            LightGbmNative.Check(LightGbmNative.LGBM_BoosterPredictForMatSingleRowFast(
                _lgbFast, _rowsDoubleHandle.AddrOfPinnedObject(), out _, _lgbOutHandle.AddrOfPinnedObject()));
        }
        else
        {
            LightGbmNative.Check(LightGbmNative.LGBM_BoosterPredictForMat(
                _lgbBooster, _rowsDoubleHandle.AddrOfPinnedObject(), LightGbmNative.DTypeFloat64, Rows, BenchData.Features, 1,
                LightGbmNative.PredictNormal, 0, -1, "num_threads=1", out _, _lgbOutHandle.AddrOfPinnedObject()));
        }

        return _lgbOut[Rows - 1];
    }

    private static nint TrainXGBoost(float[] x, float[] y, int rows, int trees, string path)
    {
        var handle = GCHandle.Alloc(x, GCHandleType.Pinned);
        var labels = GCHandle.Alloc(y, GCHandleType.Pinned);
        try
        {
            XGBoostNative.Check(XGBoostNative.XGDMatrixCreateFromMat(handle.AddrOfPinnedObject(), (ulong)rows, BenchData.Features, float.NaN, out var dtrain));
            XGBoostNative.Check(XGBoostNative.XGDMatrixSetFloatInfo(dtrain, "label", labels.AddrOfPinnedObject(), (ulong)rows));
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
            XGBoostNative.Check(XGBoostNative.XGDMatrixFree(dtrain));
            return booster;
        }
        finally
        {
            handle.Free();
            labels.Free();
        }
    }

    private static nint TrainLightGbm(float[] x, float[] y, int rows, int trees, string path)
    {
        var handle = GCHandle.Alloc(x, GCHandleType.Pinned);
        var labels = GCHandle.Alloc(y, GCHandleType.Pinned);
        try
        {
            const string parameters = "objective=regression num_leaves=64 max_depth=6 learning_rate=0.1 num_threads=1 verbose=-1 seed=1";
            LightGbmNative.Check(LightGbmNative.LGBM_DatasetCreateFromMat(handle.AddrOfPinnedObject(), LightGbmNative.DTypeFloat32, rows, BenchData.Features, 1, parameters, 0, out var data));
            LightGbmNative.Check(LightGbmNative.LGBM_DatasetSetField(data, "label", labels.AddrOfPinnedObject(), rows, LightGbmNative.DTypeFloat32));
            LightGbmNative.Check(LightGbmNative.LGBM_BoosterCreate(data, parameters, out var booster));
            for (var i = 0; i < trees; i++)
            {
                LightGbmNative.Check(LightGbmNative.LGBM_BoosterUpdateOneIter(booster, out _));
            }

            LightGbmNative.Check(LightGbmNative.LGBM_BoosterSaveModel(booster, 0, -1, 0, path));
            LightGbmNative.Check(LightGbmNative.LGBM_DatasetFree(data));
            return booster;
        }
        finally
        {
            handle.Free();
            labels.Free();
        }
    }
}
