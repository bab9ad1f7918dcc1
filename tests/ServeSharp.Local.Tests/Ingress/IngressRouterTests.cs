using System.Collections.Immutable;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using ServeSharp.Local.Ingress;
using ServeSharp.Local.Supervision;

namespace ServeSharp.Local.Tests.Ingress;

public sealed class IngressRouterTests
{
    private static RevisionBackend Backend(string name) => new(name, new NoEndpoints(), TimeProvider.System);

    private static IngressRoute Route(string ns, string name, RevisionBackend main, RevisionBackend? explainer = null)
    {
        var rules = new List<IngressRule>();
        if (explainer is not null)
        {
            rules.Add(new IngressRule(new Regex(@"^/v1/models/[\w-]+:explain$"), TrafficSplit.To(explainer)));
        }

        rules.Add(new IngressRule(null, TrafficSplit.To(main)));
        return new IngressRoute(ns, name, [$"{name}.{ns}.example.com"], rules);
    }

    [Fact]
    public void Host_MatchesIgnoringPortAndCase()
    {
        var router = new IngressRouter();
        var predictor = Backend("iris-predictor-00001");
        router.Update([Route("default", "iris", predictor)]);

        var match = router.Match("IRIS.default.example.com:8080", "/v1/models/iris:predict");

        Assert.NotNull(match);
        Assert.Same(predictor, match.Rule.Split.Pick());
        Assert.Equal("/v1/models/iris:predict", match.ForwardPath.Value);
        Assert.False(match.PathPrefix.HasValue);
    }

    [Theory]
    [InlineData("/serving/default/iris/v2/models/iris/infer", "/v2/models/iris/infer")]
    [InlineData("/serving/default/iris", "/")]
    [InlineData("/serving/default/iris/", "/")]
    public void PathPrefix_IsStripped(string path, string forwarded)
    {
        var router = new IngressRouter();
        router.Update([Route("default", "iris", Backend("p"))]);

        var match = router.Match("localhost:8080", path);

        Assert.NotNull(match);
        Assert.Equal("/serving/default/iris", match.PathPrefix.Value);
        Assert.Equal(forwarded, match.ForwardPath.Value);
    }

    [Fact]
    public void MatchService_RoutesByNamespaceAndPathName_WithThePathUnchanged()
    {
        var router = new IngressRouter();
        var iris = Backend("iris-predictor-00001");
        var other = Backend("other-predictor-00001");
        router.Update([Route("default", "iris-predictor", iris), Route("default", "other-predictor", other)]);

        var match = router.MatchService("default", "iris-predictor", "/inference.GRPCInferenceService/ModelInfer");

        Assert.NotNull(match);
        Assert.Same(iris, match.Rule.Split.Pick());
        Assert.Equal("/inference.GRPCInferenceService/ModelInfer", match.ForwardPath.Value);
        Assert.False(match.PathPrefix.HasValue);
        Assert.Null(router.MatchService("other-ns", "iris-predictor", "/"));
        router.Update([Route("default", "other-predictor", other)]);
        Assert.Null(router.MatchService("default", "iris-predictor", "/"));
    }

    [Fact]
    public void ExplainPath_GoesToExplainerRule()
    {
        var router = new IngressRouter();
        var predictor = Backend("p");
        var explainer = Backend("e");
        router.Update([Route("default", "iris", predictor, explainer)]);

        Assert.Same(explainer, router.Match("iris.default.example.com", "/v1/models/iris:explain")!.Rule.Split.Pick());
        Assert.Same(predictor, router.Match("iris.default.example.com", "/v1/models/iris:predict")!.Rule.Split.Pick());
        Assert.Same(explainer, router.Match("x", "/serving/default/iris/v1/models/iris:explain")!.Rule.Split.Pick());
    }

    [Theory]
    [InlineData("other.default.example.com", "/v1/models/iris:predict")]
    [InlineData("localhost", "/serving/other/iris/v1/models/iris:predict")]
    [InlineData("localhost", "/serving/default")]
    [InlineData("localhost", "/v1/models/iris:predict")]
    public void Unknown_IsNull(string host, string path)
    {
        var router = new IngressRouter();
        router.Update([Route("default", "iris", Backend("p"))]);

        Assert.Null(router.Match(host, new PathString(path)));
    }

    [Fact]
    public void DuplicateHost_IsRejected_AndOldTableKept()
    {
        var router = new IngressRouter();
        router.Update([Route("default", "iris", Backend("p"))]);
        var clash = new IngressRoute("default", "other", ["iris.default.example.com"], [new IngressRule(null, TrafficSplit.To(Backend("q")))]);

        Assert.Throws<ArgumentException>(() => router.Update([Route("default", "iris", Backend("p")), clash]));
        Assert.Single(router.Routes);
    }

    [Fact]
    public void TrafficSplit_RejectsPercentsNotSummingTo100()
    {
        Assert.Throws<ArgumentException>(() => new TrafficSplit([new TrafficTarget(Backend("a"), 50), new TrafficTarget(Backend("b"), 40)]));
    }

    private sealed class NoEndpoints : IEndpointSource
    {
        public ImmutableArray<BackendEndpoint> Ready => [];

        public Task WaitForReadyAsync(CancellationToken cancellationToken) => Task.Delay(Timeout.Infinite, cancellationToken);
    }
}
