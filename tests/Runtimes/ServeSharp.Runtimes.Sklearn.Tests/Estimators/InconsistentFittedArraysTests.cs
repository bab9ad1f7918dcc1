using ServeSharp.Runtimes.Sklearn.Estimators;
using ServeSharp.Runtimes.Sklearn.Numpy;
using ServeSharp.Runtimes.Sklearn.Pickle;
using ServeSharp.Runtimes.Sklearn.Serving;

namespace ServeSharp.Runtimes.Sklearn.Tests.Estimators;

/// <summary>
/// Fixture models with one fitted attribute changed so that it disagrees with the others, as a damaged or hostile file
/// would hold them. Each used to load and then fail predictions (IndexOutOfRange, a tensor whose shape does not fit
/// its data) or read the wrong values, or to fail at load without a message; each must now be refused at load with a
/// message naming the attribute and what it should hold.
/// </summary>
public sealed class InconsistentFittedArraysTests
{
    [Theory]
    [InlineData("gnb_iris.joblib", "GaussianNB", "theta_", "drop-row", "a row for each of the 3 classes")]
    [InlineData("gnb_iris.joblib", "GaussianNB", "var_", "drop-row", "values, one for each of theta_'s")]
    [InlineData("gnb_iris.joblib", "GaussianNB", "class_prior_", "drop-row", "3 values, one for each class")]
    [InlineData("logreg_iris.joblib", "LogisticRegression", "classes_", "keep-one", "at least 2 classes")]
    [InlineData("knn_iris.joblib", "KNeighborsClassifier", "_y", "drop-row", "a row for each of the 150 training samples")]
    [InlineData("knnreg_diab.joblib", "KNeighborsRegressor", "_y", "drop-row", "training samples")]
    [InlineData("mlpclf_iris.joblib", "MLPClassifier", "coefs_[1]", "drop-row", "each with a row for each column of the one before")]
    [InlineData("mlpclf_iris.joblib", "MLPClassifier", "intercepts_[0]", "drop-row", "a bias array for each layer of coefs_")]
    [InlineData("mlpclf_iris.joblib", "MLPClassifier", "classes_", "keep-two", "'coefs_' is PyList, expected an output layer of 1 unit(s) for 2 classes")]
    [InlineData("pipe_minmax_logreg.joblib", "MinMaxScaler", "min_", "drop-row", "its min_ holds 12 values where the scaler's other arrays hold 13")]
    [InlineData("pipe_robust_ridge.joblib", "RobustScaler", "scale_", "drop-row", "its scale_ holds 9 values where the scaler's other arrays hold 10")]
    [InlineData("pipe_pca_logreg.joblib", "PCA", "mean_", "drop-row", "values, one for each column of components_")]
    [InlineData("pipe_pca_whiten_svc.joblib", "PCA", "explained_variance_", "drop-row", "3 values, one for each row of components_")]
    [InlineData("svc_rbf_iris.joblib", "SVC", "_n_support", "keep-one", "support-vector counts for 3 classes")]
    [InlineData("svc_rbf_iris.joblib", "SVC", "classes_", "keep-one", "at least 2 classes")]
    [InlineData("dtreg_diab.joblib", "Tree", "values", "widen", "regression trees with one value per output, not 2")]
    [InlineData("gbc_iris.joblib", "GradientBoostingClassifier", "classes_", "keep-two", "1 tree(s) per stage for 2 classes")]
    [InlineData("gbr_diab.joblib", "DummyRegressor", "constant_", "drop-row", "a single value")]
    [InlineData("hgb_iris.joblib", "HistGradientBoostingClassifier", "classes_", "keep-two", "1 for 2 classes")]
    [InlineData("pipe_columns_idx.joblib", "ColumnTransformer", "transformers_[1]", "column-past-the-end", "columns of transformer 'onehot' among the 6 of n_features_in_")]
    [InlineData("pipe_columns_pd.joblib", "ColumnTransformer", "feature_names_in_", "drop-row", "names, one for each of n_features_in_")]
    [InlineData("pipe_poly_ridge.joblib", "PolynomialFeatures", "_n_out_full", "plus-one", "66 columns (66 kept) for 10 features and degrees 0..2")]
    [InlineData("gbc_iris.joblib", "DummyClassifier", "class_prior_", "drop-row", "3 class priors")]
    [InlineData("hgb_cat.joblib", "_BinMapper", "bin_thresholds_", "keep-one", "bin thresholds for each of the")]
    [InlineData("mlpclf_iris.joblib", "MLPClassifier", "coefs_", "empty", "2-D weight arrays")]
    [InlineData("pipe_pca_logreg.joblib", "PCA", "components_", "flatten", "attribute 'components_' is an array of dtype")]
    [InlineData("svc_rbf_iris.joblib", "SVC", "support_vectors_", "flatten", "expected a 2-D array")]
    [InlineData("pipe_ordinal_dt.joblib", "OrdinalEncoder", "_missing_indices", "feature-99", "a dict from feature index (below")]
    // Steps of a pipeline that do not chain used to load and then answer every request with a 400 blaming it.
    [InlineData("pipe_poly_ridge.joblib", "Ridge", "coef_", "drop-row", "step 'ridge' was fitted on 65 features, but step 'polynomialfeatures' before it gives 66")]
    [InlineData("pipe_minmax_logreg.joblib", "LogisticRegression", "coef_", "drop-column", "step 'logisticregression' was fitted on 12 features, but step 'minmaxscaler' before it gives 13")]
    [InlineData("pipe_pca_logreg.joblib", "LogisticRegression", "coef_", "drop-column", "step 'logisticregression' was fitted on 4 features, but step 'pca' before it gives 5")]
    public void CreatePredictor_AttributeThatDisagreesWithTheOthers_IsRefused(string fixture, string owner, string attribute, string edit, string expected)
    {
        var graph = JoblibFile.Load(Path.Combine(FixturePaths.Models, fixture));
        var instance = Find(graph, owner) ?? throw new InvalidOperationException($"{fixture} holds no {owner}");
        Edit(instance, attribute, edit);

        var ex = Assert.Throws<SklearnModelException>(() => new EstimatorFactory().CreatePredictor(graph));

        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CreatePredictor_UnchangedFixtures_Load()
    {
        // The checks above must not refuse what scikit-learn wrote.
        foreach (var fixture in new[] { "gnb_iris", "knn_iris", "knnreg_diab", "mlpclf_iris", "pipe_minmax_logreg", "pipe_robust_ridge", "pipe_pca_whiten_svc", "svc_rbf_iris", "dtreg_diab", "gbc_iris", "gbr_diab", "hgb_iris", "pipe_columns_idx", "pipe_columns_pd", "pipe_poly_ridge", "pipe_poly_inter_linreg", "pipe_pca_logreg", "hgb_cat", "pipe_ordinal_dt" })
        {
            Assert.NotNull(new EstimatorFactory().CreatePredictor(JoblibFile.Load(Path.Combine(FixturePaths.Models, fixture + ".joblib"))));
        }
    }

    /// <summary>
    /// ColumnTransformer columns given as a slice with negative bounds count from the end, as in Python: slice(-6, -4)
    /// of 6 features is [0, 1], the "scaled" columns of pipe_columns_idx, so the answers stay scikit-learn's. They used
    /// to become indices -6 and -5.
    /// </summary>
    [Fact]
    public async Task ColumnTransformer_SliceWithNegativeBounds_SelectsFromTheEnd()
    {
        var graph = JoblibFile.Load(Path.Combine(FixturePaths.Models, "pipe_columns_idx.joblib"));
        var transformer = Find(graph, "ColumnTransformer")!;
        var scaled = ((PyList)transformer.Attributes["transformers_"]!).Cast<PyTuple>().Single(t => (string)t[0]! == "scaled");
        scaled.Items[2] = new PySlice(-6L, -4L, null);
        var model = new SklearnModel("m", new EstimatorFactory().CreatePredictor(graph), predictProba: false, "Pipeline");
        var expected = ExpectedOutputs.Load("pipe_columns_idx");

        var response = await model.PredictAsync(expected.BuildRequest(), CancellationToken.None);

        var want = expected.Root.GetProperty("predict").EnumerateArray().Select(v => v.GetInt64()).ToArray();
        Assert.Equal(want, Assert.Single(response.Outputs).GetData<long>());
    }

    /// <summary>
    /// A KD-tree whose first leaf reaches one position into the next leaf's range (or stops one short of its own):
    /// every index stays in bounds, so it loaded, and then a sample counted twice among the neighbours (or never).
    /// </summary>
    [Theory]
    [InlineData(1, 8)]
    [InlineData(-1, 8)]
    [InlineData(1, 0)]
    public void CreatePredictor_KdTreeLeavesThatOverlapOrLeaveAGap_AreRefused(int change, int fieldOffset)
    {
        var graph = JoblibFile.Load(Path.Combine(FixturePaths.Models, "knn_iris.joblib"));
        var knn = Find(graph, "KNeighborsClassifier")!;
        Assert.Equal("kd_tree", knn.Attributes["_fit_method"]);
        var nodes = (NdArray)((PyTuple)((PyInstance)knn.Attributes["_tree"]!).State!)[2]!;
        var leaf = Array.FindIndex(nodes.FieldAsDoubles("is_leaf"), v => v != 0);
        var field = fieldOffset == 0 ? "idx_start" : "idx_end";
        var before = nodes.FieldAsDoubles(field)[leaf];
        var record = (byte[])nodes.Data;
        var at = (leaf * nodes.DType.ItemSize) + fieldOffset;
        System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(record.AsSpan(at), (long)before + change);
        Assert.Equal(before + change, nodes.FieldAsDoubles(field)[leaf]);

        var ex = Assert.Throws<SklearnModelException>(() => new EstimatorFactory().CreatePredictor(graph));

        Assert.Contains("a KD-tree whose nodes, bounds and indices fit _fit_X", ex.Message, StringComparison.Ordinal);
    }

    // The first instance of class <paramref name="name"/> in the object graph, depth first.
    private static PyInstance? Find(object? node, string name) => node switch
    {
        PyInstance i when i.Type.Name == name => i,
        PyInstance i => i.Attributes.Values.Select(v => Find(v, name)).FirstOrDefault(f => f is not null) ?? Find(i.State, name),
        PyList l => l.Select(v => Find(v, name)).FirstOrDefault(f => f is not null),
        PyTuple t => t.Items.Select(v => Find(v, name)).FirstOrDefault(f => f is not null),
        PyDict d => d.Entries.Select(e => Find(e.Value, name)).FirstOrDefault(f => f is not null),
        NdArray { DType.HasObject: true } a => a.ToObjects().Select(v => Find(v, name)).FirstOrDefault(f => f is not null),
        _ => null,
    };

    // Changes attribute "name" or list item "name[i]" of the instance.
    private static void Edit(PyInstance instance, string attribute, string edit)
    {
        var bracket = attribute.IndexOf('[', StringComparison.Ordinal);
        if (bracket >= 0)
        {
            var list = (PyList)instance.Attributes[attribute[..bracket]]!;
            var index = int.Parse(attribute[(bracket + 1)..^1], System.Globalization.CultureInfo.InvariantCulture);
            list[index] = Changed(list[index], edit);
            return;
        }

        instance.Attributes[attribute] = Changed(instance.Attributes[attribute], edit);
    }

    private static object? Changed(object? value, string edit) => (value, edit) switch
    {
        (long n, "plus-one") => n + 1,
        (NdArray a, "drop-row") => Rows(a, a.Shape[0] - 1),
        (NdArray a, "keep-one") => Rows(a, 1),
        (NdArray a, "keep-two") => Rows(a, 2),
        (NdArray a, "widen") => Widened(a),
        (NdArray a, "drop-column") => WithoutLastColumn(a),
        (NdArray a, "flatten") => new NdArray(a.DType, [a.Count], a.Data),
        (PyList l, "keep-one") => new PyList { l[0] },
        (PyList, "empty") => new PyList(),
        (_, "feature-99") => Dict(99L, 0L),
        (PyTuple t, "column-past-the-end") => new PyTuple([t[0], t[1], new PyList { 4L, 6L }], t.Depth),
        _ => throw new ArgumentException($"cannot apply {edit} to {value?.GetType().Name}"),
    };

    private static PyDict Dict(object key, object value)
    {
        var dict = new PyDict();
        dict.Set(key, value);
        return dict;
    }

    // The first <paramref name="rows"/> entries along the first axis.
    private static NdArray Rows(NdArray a, long rows)
    {
        var shape = a.Shape.ToArray();
        var perRow = shape[0] == 0 ? 0 : a.Count / shape[0];
        shape[0] = rows;
        var data = Array.CreateInstance(a.Data.GetType().GetElementType()!, rows * perRow);
        Array.Copy(a.Data, data, data.Length);
        return new NdArray(a.DType, shape, data);
    }

    // A 2-D array without its last column.
    private static NdArray WithoutLastColumn(NdArray a)
    {
        var (rows, columns) = (a.Shape[0], a.Shape[1]);
        var data = Array.CreateInstance(a.Data.GetType().GetElementType()!, rows * (columns - 1));
        for (var r = 0; r < rows; r++)
        {
            Array.Copy(a.Data, r * columns, data, r * (columns - 1), columns - 1);
        }

        return new NdArray(a.DType, [rows, columns - 1], data);
    }

    // Every value twice along a new, doubled last axis.
    private static NdArray Widened(NdArray a)
    {
        var shape = a.Shape.ToArray();
        shape[^1] *= 2;
        var data = Array.CreateInstance(a.Data.GetType().GetElementType()!, a.Count * 2);
        for (var i = 0; i < a.Count; i++)
        {
            data.SetValue(a.Data.GetValue(i), 2 * i);
            data.SetValue(a.Data.GetValue(i), (2 * i) + 1);
        }

        return new NdArray(a.DType, shape, data);
    }
}
