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
/// "100x6" = 100 trees of depth 6, "500" = 500 trees of depth 6; trained once and cached (see <see cref="BenchModels"/>).
/// Rows = 1 cycles through 1,024 different rows, one per call, so neither side profits from a branch predictor that
/// has learnt one row's path; Rows = 1000 predicts the same 1,000 rows each call.
/// </summary>
[MemoryDiagnoser]
public class TreePredictBenchmarks
{
    private const int SingleRowPool = 1024;

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
    private InferenceRequest[] _requests32 = null!;
    private InferenceRequest[] _requests64 = null!;
    private int _next;

    [Params("100x6", "500")]
    public string Model { get; set; } = "100x6";

    [Params(1, 1000)]
    public int Rows { get; set; } = 1;

    [GlobalSetup]
    public void Setup()
    {
        var files = BenchModels.Ensure(Model);
        XGBoostNative.Check(XGBoostNative.XGBoosterCreate([], 0, out _xgbBooster));
        XGBoostNative.Check(XGBoostNative.XGBoosterLoadModel(_xgbBooster, Path.Combine(files.XGBoostDirectory, "model.json")));
        XGBoostNative.Check(XGBoostNative.XGBoosterSetParam(_xgbBooster, "nthread", "1"));
        _xgbModel = new XGBoostRuntime().LoadAsync(new ModelLoadContext { Name = "xgb", ModelDirectory = files.XGBoostDirectory }, default).AsTask().GetAwaiter().GetResult();

        LightGbmNative.Check(LightGbmNative.LGBM_BoosterCreateFromModelfile(Path.Combine(files.LightGbmDirectory, "model.txt"), out _, out _lgbBooster));
        _lgbModel = new LightGbmRuntime().LoadAsync(new ModelLoadContext { Name = "lgb", ModelDirectory = files.LightGbmDirectory }, default).AsTask().GetAwaiter().GetResult();
        LightGbmNative.Check(LightGbmNative.LGBM_BoosterPredictForMatSingleRowFastInit(
            _lgbBooster, LightGbmNative.PredictNormal, 0, -1, LightGbmNative.DTypeFloat64, BenchData.Features, "num_threads=1", out _lgbFast));

        var rows = Rows == 1 ? SingleRowPool : Rows;
        _rows = BenchData.Matrix(rows, 2);
        _rowsDouble = Array.ConvertAll(_rows, v => (double)v);
        _rowsHandle = GCHandle.Alloc(_rows, GCHandleType.Pinned);
        _rowsDoubleHandle = GCHandle.Alloc(_rowsDouble, GCHandleType.Pinned);
        _lgbOut = new double[Rows];
        _lgbOutHandle = GCHandle.Alloc(_lgbOut, GCHandleType.Pinned);
        var requests = rows / Rows;
        _requests32 = new InferenceRequest[requests];
        _requests64 = new InferenceRequest[requests];
        var width = Rows * BenchData.Features;
        for (var i = 0; i < requests; i++)
        {
            _requests32[i] = new InferenceRequest("xgb", [new Tensor("input-0", TensorDataType.FP32, [Rows, BenchData.Features], _rows.AsSpan(i * width, width).ToArray())]);
            _requests64[i] = new InferenceRequest("lgb", [new Tensor("input-0", TensorDataType.FP64, [Rows, BenchData.Features], _rowsDouble.AsSpan(i * width, width).ToArray())]);
        }

        // Same answers before timing anything, on every request.
        for (var i = 0; i < requests; i++)
        {
            _next = i;
            var ours = XGBoostServeSharp();
            _next = i;
            var native = XGBoostNativePredict();
            if (BitConverter.SingleToInt32Bits(ours) != BitConverter.SingleToInt32Bits(native))
            {
                throw new InvalidOperationException($"XGBoost mismatch on request {i}: {ours:R} vs {native:R}");
            }

            _next = i;
            var oursL = LightGbmServeSharp();
            _next = i;
            var nativeL = LightGbmNativePredict();
            if (Math.Abs(oursL - nativeL) > 1e-12 * Math.Max(1, Math.Abs(nativeL)))
            {
                throw new InvalidOperationException($"LightGBM mismatch on request {i}: {oursL:R} vs {nativeL:R}");
            }
        }

        _next = 0;
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
    }

    [Benchmark(Description = "XGBoost ServeSharp")]
    public float XGBoostServeSharp()
    {
        var response = _xgbModel.PredictAsync(_requests32[Next()], default).GetAwaiter().GetResult();
        return response.Outputs[0].GetData<float>()[^1];
    }

    [Benchmark(Description = "XGBoost native (DMatrix + predict)")]
    public float XGBoostNativePredict()
    {
        var data = _rowsHandle.AddrOfPinnedObject() + Next() * Rows * BenchData.Features * sizeof(float);
        XGBoostNative.Check(XGBoostNative.XGDMatrixCreateFromMat(data, (ulong)Rows, BenchData.Features, float.NaN, out var dmat));
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
        var response = _lgbModel.PredictAsync(_requests64[Next()], default).GetAwaiter().GetResult();
        return response.Outputs[0].GetData<double>()[^1];
    }

    [Benchmark(Description = "LightGBM native")]
    public double LightGbmNativePredict()
    {
        var data = _rowsDoubleHandle.AddrOfPinnedObject() + Next() * Rows * BenchData.Features * sizeof(double);
        if (Rows == 1)
        {
            LightGbmNative.Check(LightGbmNative.LGBM_BoosterPredictForMatSingleRowFast(_lgbFast, data, out _, _lgbOutHandle.AddrOfPinnedObject()));
        }
        else
        {
            LightGbmNative.Check(LightGbmNative.LGBM_BoosterPredictForMat(
                _lgbBooster, data, LightGbmNative.DTypeFloat64, Rows, BenchData.Features, 1,
                LightGbmNative.PredictNormal, 0, -1, "num_threads=1", out _, _lgbOutHandle.AddrOfPinnedObject()));
        }

        return _lgbOut[Rows - 1];
    }

    /// <summary>The next request (Rows = 1 cycles through the pool; a batch is always request 0).</summary>
    private int Next()
    {
        var i = _next;
        _next = i + 1 == _requests32.Length ? 0 : i + 1;
        return i;
    }
}
