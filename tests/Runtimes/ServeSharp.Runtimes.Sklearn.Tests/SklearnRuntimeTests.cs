using ServeSharp.Abstractions;

namespace ServeSharp.Runtimes.Sklearn.Tests;

public sealed class SklearnRuntimeTests
{
    [Fact]
    public void Format_IsSklearn() => Assert.Equal("sklearn", new SklearnRuntime().Format);

    [Theory]
    [InlineData("model.joblib", true)]
    [InlineData("model.pkl", true)]
    [InlineData("model.pickle", true)]
    [InlineData("model.onnx", false)]
    public void CanLoad_RecognisesKServeExtensions(string file, bool expected)
    {
        var dir = NewDir();
        File.Copy(Path.Combine(FixturePaths.Models, "logreg_iris.joblib"), Path.Combine(dir, file));

        Assert.Equal(expected, new SklearnRuntime().CanLoad(dir));
    }

    [Fact]
    public void CanLoad_MissingDirectory_IsFalse() => Assert.False(new SklearnRuntime().CanLoad("/nonexistent/servesharp"));

    [Fact]
    public async Task LoadAsync_TwoModelFiles_IsRefusedLikeKServe()
    {
        var dir = NewDir();
        File.Copy(Path.Combine(FixturePaths.Models, "logreg_iris.joblib"), Path.Combine(dir, "a.joblib"));
        File.Copy(Path.Combine(FixturePaths.Models, "logreg_iris.p4.pkl"), Path.Combine(dir, "b.pkl"));

        var ex = await Assert.ThrowsAsync<ModelLoadException>(() => Load(dir).AsTask());

        Assert.StartsWith("More than one model file is detected, Only one is allowed within model_dir", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LoadAsync_NoModelFile_NamesTheDirectory()
    {
        var dir = NewDir();

        var ex = await Assert.ThrowsAsync<ModelLoadException>(() => Load(dir).AsTask());

        Assert.Contains(dir, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("unsupported_nearest_centroid.joblib", "unsupported estimator sklearn.neighbors._nearest_centroid.NearestCentroid")]
    [InlineData("other_version_logreg.joblib", "LogisticRegression has no attribute 'coef_' (the file was written by scikit-learn 1.2.1")]
    [InlineData("not_an_estimator.joblib", "not a scikit-learn estimator")]
    [InlineData("garbage.joblib", "not a pickle")]
    [InlineData("truncated.joblib", "but only 289 remain")]
    public void LoadFile_BadModel_GivesClearErrorNamingTheFile(string file, string expected)
    {
        var path = Path.Combine(FixturePaths.Special, file);

        var ex = Assert.Throws<ModelLoadException>(() => new SklearnRuntime().LoadFile("m", path, predictProba: false));

        Assert.True(ex.Message.Contains(expected, StringComparison.Ordinal), ex.Message);
        Assert.StartsWith(path, ex.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// Fixtures with bytes changed, as a fuzzer that mutated them at random found them: each used to escape as an
    /// exception other than <see cref="ModelLoadException"/> (IndexOutOfRange, Overflow, the pickle reader's or the
    /// tree engine's own exceptions, SharpCompress's from a codec's header), so the model failed without a message
    /// naming the file, or to load and then fail every request.
    /// </summary>
    [Theory]
    [InlineData("rf_iris.joblib", "4255:8", "the estimator holds a count or index too large to be real")]
    [InlineData("nusvr_sparse_diab.p4.pkl", "8263:32", "expected a CSR matrix with non-decreasing indptr")]
    [InlineData("rf_multi_iris.p5.pkl", "2210:96", "numpy structured array has no field 'left_child'")]
    [InlineData("rf_multi_iris.p4.pkl", "13253:7", "Tree 5: node 7 is reached twice")]
    [InlineData("dt_multi_iris.joblib", "1306:254", "Tree 0: node 1 splits on feature 16646146, outside 0..3.")]
    [InlineData("dt_str_iris.p4.pkl", "933:255", "field 'left_child' of the structured array lies outside its 56-byte records")]
    [InlineData("iforest_iris.p2.pkl", "151002:77", "a tree splits on its feature 5046273, but its feature list has 4")]
    // These four loaded, then failed every prediction with IndexOutOfRange / ArgumentOutOfRange.
    [InlineData("pipe_normalizer_l1_knn.p3.pkl", "7264:3", "expected a KD-tree whose nodes, bounds and indices fit _fit_X")]
    [InlineData("pipe_imputer_const_linreg.p4.pkl", "644:186", "expected feature indices below 4")]
    [InlineData("pipe_pca_whiten_svc.p2.pkl", "5128:31", "expected support-vector counts for 3 classes adding up to 70")]
    [InlineData("pipe_onehot_infreq_ridge.p5.pkl", "1321:6", "expected categories of feature 3 that fit its 5 output columns")]
    // A bitset row so large that its end overflowed int passed the bounds check (found 2026-12-07).
    [InlineData("hgb_cat.joblib", "21419:137", "attribute 'raw_left_cat_bitsets'")]
    [InlineData("logreg_iris.bz2.joblib", "3:88", "compressed data is corrupt: ")]
    [InlineData("logreg_iris.xz.joblib", "7:255", "compressed data is corrupt: ")]
    [InlineData("logreg_iris.lzma.joblib", "1:0 2:0 3:0 4:0", "compressed data is corrupt: ")]
    public void LoadFile_FixtureWithBytesChanged_GivesModelLoadExceptionNamingTheFile(string fixture, string edits, string expected)
    {
        var bytes = File.ReadAllBytes(Path.Combine(FixturePaths.Models, fixture));
        foreach (var edit in edits.Split(' '))
        {
            var parts = edit.Split(':');
            bytes[int.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture)] = byte.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture);
        }

        var path = Path.Combine(NewDir(), fixture);
        File.WriteAllBytes(path, bytes);

        var ex = Assert.Throws<ModelLoadException>(() => new SklearnRuntime().LoadFile("m", path, predictProba: false));

        Assert.True(ex.Message.Contains(expected, StringComparison.Ordinal), ex.Message);
        Assert.StartsWith(path, ex.Message, StringComparison.Ordinal);
    }

    /// <summary>A pipeline's metadata gives the width its first step was fitted on (it used to say -1).</summary>
    [Theory]
    [InlineData("pipe_minmax_logreg.joblib", 13)]
    [InlineData("pipe_pca_whiten_svc.joblib", 4)]
    [InlineData("pipe_columns_idx.joblib", 6)]
    [InlineData("pipe_normalizer_logreg.joblib", -1)]
    public void LoadFile_Pipeline_MetadataGivesTheFeaturesItWasFittedOn(string fixture, long features)
    {
        var model = new SklearnRuntime().LoadFile("m", Path.Combine(FixturePaths.Models, fixture), predictProba: false);

        Assert.Equal([-1, features], Assert.Single(model.Metadata.Inputs).Shape);
    }

    [Fact]
    public async Task LoadAsync_PredictProbaSetting_ReturnsProbabilities()
    {
        var dir = NewDir();
        File.Copy(Path.Combine(FixturePaths.Models, "logreg_iris.joblib"), Path.Combine(dir, "model.joblib"));
        var settings = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { ["predict_proba"] = "true" };
        var model = await new SklearnRuntime().LoadAsync(new ModelLoadContext { Name = "iris", ModelDirectory = dir, Settings = settings }, CancellationToken.None);

        var request = new InferenceRequest("iris", [Tensor.Create("input-0", [1, 4], new[] { 5.1, 3.5, 1.4, 0.2 })]);
        var response = await model.PredictAsync(request, CancellationToken.None);

        var output = Assert.Single(response.Outputs);
        Assert.Equal(TensorDataType.FP64, output.DataType);
        Assert.Equal(new long[] { 1, 3 }, output.Shape);
        Assert.Equal(1.0, output.GetData<double>().Sum(), 12);
    }

    [Fact]
    public async Task Predict_RequestParameterOverridesPredictProba()
    {
        var model = new SklearnRuntime().LoadFile("iris", Path.Combine(FixturePaths.Models, "logreg_iris.joblib"), predictProba: true);
        var request = new InferenceRequest("iris", [Tensor.Create("input-0", [1, 4], new[] { 5.1, 3.5, 1.4, 0.2 })])
        {
            Parameters = new InferParameters { ["predict_proba"] = InferParameter.FromBool(false) },
        };

        var response = await model.PredictAsync(request, CancellationToken.None);

        Assert.Equal(new long[] { 0 }, response.Outputs[0].GetData<long>());
    }

    [Fact]
    public async Task Predict_WrongFeatureCount_IsInvalidInputNamingTheCount()
    {
        var model = new SklearnRuntime().LoadFile("iris", Path.Combine(FixturePaths.Models, "logreg_iris.joblib"), predictProba: false);
        var request = new InferenceRequest("iris", [Tensor.Create("input-0", [1, 3], new[] { 5.1, 3.5, 1.4 })]);

        var ex = await Assert.ThrowsAsync<InferenceException>(() => model.PredictAsync(request, CancellationToken.None).AsTask());

        Assert.Equal(InferenceErrorKind.InvalidInput, ex.Kind);
        Assert.Contains("X has 3 features, but the model is expecting 4 features", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Predict_PdRequestWithUnknownStrictCategory_IsInvalidInput()
    {
        var model = new SklearnRuntime().LoadFile("m", Path.Combine(FixturePaths.Models, "pipe_columns_pd.joblib"), predictProba: false);
        var request = new InferenceRequest("m",
        [
            Tensor.Create("sepal_length", [1], new[] { 5.1 }), Tensor.Create("sepal_width", [1], new[] { 3.5 }),
            Tensor.Create("petal_length", [1], new[] { 1.4 }), Tensor.Create("petal_width", [1], new[] { 0.2 }),
            Tensor.FromStrings("size", [1], ["small"]), Tensor.FromStrings("colour", [1], ["purple"]),
        ])
        {
            Parameters = new InferParameters { [InferParameters.Names.ContentType] = InferParameter.FromString("pd") },
        };

        var ex = await Assert.ThrowsAsync<InferenceException>(() => model.PredictAsync(request, CancellationToken.None).AsTask());

        Assert.Contains("Found unknown categories ['purple'] in column 0", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Predict_PdRequestColumnsInAnyOrder_SelectsByName()
    {
        var model = new SklearnRuntime().LoadFile("m", Path.Combine(FixturePaths.Models, "pipe_columns_pd.joblib"), predictProba: false);
        var request = new InferenceRequest("m",
        [
            Tensor.FromStrings("colour", [1], ["red"]), Tensor.FromStrings("size", [1], ["small"]),
            Tensor.Create("petal_width", [1], new[] { 0.2 }), Tensor.Create("petal_length", [1], new[] { 1.4 }),
            Tensor.Create("sepal_width", [1], new[] { 3.5 }), Tensor.Create("sepal_length", [1], new[] { 5.1 }),
        ])
        {
            Parameters = new InferParameters { [InferParameters.Names.ContentType] = InferParameter.FromString("pd") },
        };

        var response = await model.PredictAsync(request, CancellationToken.None);

        Assert.Equal(["setosa"], response.Outputs[0].ToStrings());
    }

    private static ValueTask<IModel> Load(string dir) =>
        new SklearnRuntime().LoadAsync(new ModelLoadContext { Name = "m", ModelDirectory = dir }, CancellationToken.None);

    private static string NewDir()
    {
        var dir = Path.Combine(Path.GetTempPath(), "servesharp-sklearn-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }
}
