using ServeSharp.Local.Autoscaling;

namespace ServeSharp.Local.Tests.Autoscaling;

public sealed class KnativeScalingAnnotationsTests
{
    [Fact]
    public void Apply_MapsKnativeRevisionAnnotations_IgnoresOthers()
    {
        var spec = KnativeScalingAnnotations.Apply(new AutoscalerSpec(), new Dictionary<string, string>
        {
            ["autoscaling.knative.dev/initial-scale"] = "0",
            ["autoscaling.knative.dev/window"] = "1m30s",
            ["autoscaling.knative.dev/scale-down-delay"] = "500ms",
            ["autoscaling.knative.dev/scale-to-zero-pod-retention-period"] = "2s",
            ["autoscaling.knative.dev/panic-window-percentage"] = "20",
            ["autoscaling.knative.dev/panic-threshold-percentage"] = "150",
            ["autoscaling.knative.dev/target-utilization-percentage"] = "90",
            ["serving.kserve.io/deploymentMode"] = "Standard",
        });

        Assert.Equal(0, spec.InitialScale);
        Assert.Equal(TimeSpan.FromSeconds(90), spec.StableWindow);
        Assert.Equal(TimeSpan.FromMilliseconds(500), spec.ScaleDownDelay);
        Assert.Equal(TimeSpan.FromSeconds(2), spec.ScaleToZeroGracePeriod);
        Assert.Equal(TimeSpan.FromSeconds(18), spec.PanicWindow);
        Assert.Equal(1.5, spec.PanicThreshold);
        Assert.Equal(0.9, spec.TargetUtilization);
    }

    [Theory]
    [InlineData("autoscaling.knative.dev/initial-scale", "-1", "integer in 0..")]
    [InlineData("autoscaling.knative.dev/window", "5s", "in 6s..3600s")]
    [InlineData("autoscaling.knative.dev/window", "soon", "must be a duration")]
    [InlineData("autoscaling.knative.dev/panic-threshold-percentage", "100", "integer in 110..1000")]
    public void Apply_BadValue_NamesTheAnnotation(string key, string value, string expected)
    {
        var e = Assert.Throws<ArgumentException>(() => KnativeScalingAnnotations.Apply(new AutoscalerSpec(), new Dictionary<string, string> { [key] = value }));
        Assert.Contains(key, e.Message, StringComparison.Ordinal);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("90s", 90_000)]
    [InlineData("1h2m3s", 3_723_000)]
    [InlineData("1.5s", 1_500)]
    [InlineData("250ms", 250)]
    [InlineData("", null)]
    [InlineData("10", null)]
    [InlineData("3d", null)]
    public void ParseDuration_GoSyntax(string text, int? milliseconds) =>
        Assert.Equal(milliseconds is null ? null : TimeSpan.FromMilliseconds(milliseconds.Value), KnativeScalingAnnotations.ParseDuration(text));
}
