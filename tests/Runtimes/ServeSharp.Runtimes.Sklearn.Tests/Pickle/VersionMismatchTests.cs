using System.Text;
using ServeSharp.Abstractions;

namespace ServeSharp.Runtimes.Sklearn.Tests.Pickle;

/// <summary>
/// A pickle whose attributes differ from scikit-learn 1.2's (as one written by another version) must fail to load
/// with an error naming the missing attribute — never load with a guessed default and answer wrongly. Each case
/// hand-edits a committed protocol-4 pickle: the attribute's name is renamed in the file's bytes, so the object
/// graph is intact but lacks exactly that attribute.
/// </summary>
public sealed class VersionMismatchTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("servesharp-sklearn-version-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData("logreg_iris", "multi_class")]
    [InlineData("logreg_iris", "coef_")]
    [InlineData("knn_iris", "effective_metric_")]
    [InlineData("knn_iris", "outputs_2d_")]
    [InlineData("svc_rbf_iris", "break_ties")]
    [InlineData("nusvc_iris", "_probA")]
    [InlineData("rf_iris", "n_outputs_")]
    [InlineData("gbc_iris", "learning_rate")]
    [InlineData("hgb_iris", "_baseline_prediction")]
    [InlineData("hgb_iris", "is_categorical_")]
    [InlineData("pipe_minmax_logreg", "clip")]
    [InlineData("pipe_onehot_ridge", "_infrequent_enabled")]
    [InlineData("pipe_pca_logreg", "mean_")]
    [InlineData("pipe_imputer_mean_logreg", "keep_empty_features")]
    [InlineData("pipe_ordinal_dt", "encoded_missing_value")]
    public void PickleLackingAnAttribute_FailsNamingIt(string model, string attribute)
    {
        var path = Path.Combine(_dir, model + ".pkl");
        File.WriteAllBytes(path, WithoutAttribute(File.ReadAllBytes(Path.Combine(FixturePaths.Models, model + ".p4.pkl")), attribute));

        var ex = Assert.Throws<ModelLoadException>(() => new SklearnRuntime().LoadFile("m", path, predictProba: false));

        Assert.True(ex.Message.Contains($"has no attribute '{attribute}'", StringComparison.Ordinal), ex.Message);
        Assert.Contains("written by scikit-learn 1.2.1", ex.Message, StringComparison.Ordinal);
        Assert.StartsWith(path, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UneditedPickle_Loads()
    {
        // The edit below is what makes the cases above fail: the same file unedited loads and predicts.
        var model = new SklearnRuntime().LoadFile("m", Path.Combine(FixturePaths.Models, "knn_iris.p4.pkl"), predictProba: false);

        Assert.Equal(4, model.Predictor.FeatureCount);
    }

    // Renames every SHORT_BINUNICODE string equal to `name` (opcode 0x8c, one length byte, UTF-8) by changing its
    // last character, keeping the length so the pickle stays well-formed.
    private static byte[] WithoutAttribute(byte[] pickle, string name)
    {
        var token = new byte[] { 0x8c, (byte)name.Length }.Concat(Encoding.UTF8.GetBytes(name)).ToArray();
        var edited = (byte[])pickle.Clone();
        var found = 0;
        for (var i = edited.AsSpan().IndexOf(token); i >= 0;)
        {
            edited[i + token.Length - 1] = (byte)(name[^1] == 'X' ? 'Y' : 'X');
            found++;
            var next = edited.AsSpan(i + token.Length).IndexOf(token);
            i = next < 0 ? -1 : i + token.Length + next;
        }

        Assert.True(found > 0, $"the pickle has no string '{name}'");
        return edited;
    }
}
