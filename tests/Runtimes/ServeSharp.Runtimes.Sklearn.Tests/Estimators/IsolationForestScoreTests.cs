using ServeSharp.Runtimes.Sklearn.Estimators;
using ServeSharp.Runtimes.Sklearn.Estimators.Trees;

namespace ServeSharp.Runtimes.Sklearn.Tests.Estimators;

public sealed class IsolationForestScoreTests
{
    [Fact]
    public void ScoreSamples_MatchesScikitLearn()
    {
        var expected = ExpectedOutputs.Load("iforest_iris");
        var model = new SklearnRuntime().LoadFile("f", Path.Combine(FixturePaths.Models, "iforest_iris.joblib"), predictProba: false);
        var input = expected.BuildRequest().Inputs[0];

        var scores = ((IsolationForestModel)model.Predictor).ScoreSamples(
            FeatureFrame.FromMatrix(input.GetData<double>(), (int)input.Shape[0], (int)input.Shape[1]));

        ExpectedOutputs.AssertClose(ExpectedOutputs.Flatten(expected.Root.GetProperty("score_samples")), scores, "score_samples");
    }
}
