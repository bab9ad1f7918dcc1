using ServeSharp.Runtimes.Sklearn.Numpy;
using ServeSharp.Runtimes.Sklearn.Pickle;

namespace ServeSharp.Runtimes.Sklearn.Tests.Pickle;

public sealed class JoblibFileTests
{
    public static TheoryData<string> AllModelFiles()
    {
        var data = new TheoryData<string>();
        foreach (var f in Directory.GetFiles(FixturePaths.Models).Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(f));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(AllModelFiles))]
    public void Load_EveryFixtureFormat_GivesAnEstimatorObject(string file)
    {
        var value = JoblibFile.Load(Path.Combine(FixturePaths.Models, file));

        var inst = Assert.IsType<PyInstance>(value);
        Assert.StartsWith("sklearn.", inst.Type.Module, StringComparison.Ordinal);
        Assert.Equal("1.2.1", inst.Attributes["_sklearn_version"]);
    }

    [Fact]
    public void Load_JoblibLogisticRegression_ReadsRawArraysExactly()
    {
        var inst = (PyInstance)JoblibFile.Load(Path.Combine(FixturePaths.Models, "logreg_iris.joblib"))!;
        var fromPickle = (PyInstance)JoblibFile.Load(Path.Combine(FixturePaths.Models, "logreg_iris.p2.pkl"))!;

        var coef = Assert.IsType<NdArray>(inst.Attributes["coef_"]);
        Assert.Equal(new long[] { 3, 4 }, coef.Shape);
        Assert.Equal(((NdArray)fromPickle.Attributes["coef_"]!).ToDoubles(), coef.ToDoubles());
        Assert.Equal(new long[] { 0, 1, 2 }, ((NdArray)inst.Attributes["classes_"]!).ToLongs());
    }

    [Fact]
    public void Load_StringLabels_AreObjectArrayOfStrings()
    {
        var inst = (PyInstance)JoblibFile.Load(Path.Combine(FixturePaths.Models, "logreg_str_iris.joblib"))!;

        var classes = Assert.IsType<NdArray>(inst.Attributes["classes_"]);
        Assert.Equal(new object?[] { "setosa", "versicolor", "virginica" }, classes.ToObjects());
    }
}
