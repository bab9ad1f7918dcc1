using ServeSharp.Control.Api.V1Beta1;
using ServeSharp.Control.Serialization;

namespace ServeSharp.Control.Tests.Serialization;

public class RoundTripTests
{
    [Fact]
    public void YamlOut_QuotesStringsThatLookLikeOtherTypes_AndReadsBackIdentically()
    {
        var text = """
            apiVersion: serving.kserve.io/v1beta1
            kind: InferenceService
            metadata:
              name: rt
              labels: {enabled: "true", count: "3", empty: "", on: "yes"}
            spec:
              predictor:
                model:
                  modelFormat: {name: sklearn, version: "1"}
                  args: ["--workers", "2", "null"]
                  env:
                    - {name: MULTI, value: "line1\nline2\n"}
            """;
        var first = Assert.Single(ManifestReader.Read(text, "a.yaml"));
        Assert.Null(first.Problem);
        var yaml = ResourceWriter.Write([first.Resource!], ResourceWriter.Format.Yaml);
        Assert.Contains("version: \"1\"", yaml, StringComparison.Ordinal);
        Assert.Contains("enabled: \"true\"", yaml, StringComparison.Ordinal);
        var second = Assert.Single(ManifestReader.Read(yaml, "b.yaml"));
        Assert.Null(second.Problem);
        Assert.Equal(KubeJson.Serialize(first.Resource!), KubeJson.Serialize(second.Resource!));
        var json = ResourceWriter.Write([second.Resource!], ResourceWriter.Format.Json);
        var third = Assert.Single(ManifestReader.Read(json, "c.json"));
        Assert.Equal(KubeJson.Serialize(first.Resource!), KubeJson.Serialize(third.Resource!));
        Assert.Equal("line1\nline2\n", ((InferenceService)third.Resource!).Spec.Predictor.Model!.Env[0].Value);
    }

    [Theory]
    [InlineData("yes", true)]
    [InlineData("on", true)]
    [InlineData("True", true)]
    [InlineData("off", false)]
    public void YamlScalars_Yaml11Booleans_AsKubectlReadsThem(string text, bool expected) =>
        Assert.Equal(expected, YamlScalarResolver.Resolve(text)!.GetValue<bool>());

    [Theory]
    [InlineData("0x1F", 31L)]
    [InlineData("0777", 511L)]
    [InlineData("-12", -12L)]
    public void YamlScalars_Integers(string text, long expected) =>
        Assert.Equal(expected, YamlScalarResolver.Resolve(text)!.GetValue<long>());

    [Theory]
    [InlineData("5s", 5_000)]
    [InlineData("1m30s", 90_000)]
    [InlineData("250ms", 250)]
    [InlineData("1.5h", 5_400_000)]
    public void GoDuration_Parses(string text, long ms)
    {
        Assert.True(GoDuration.TryParse(text, out var value, out _));
        Assert.Equal(ms, (long)value.TotalMilliseconds);
    }

    [Theory]
    [InlineData("5", "time: missing unit in duration \"5\"")]
    [InlineData("5x", "time: unknown unit \"x\" in duration \"5x\"")]
    [InlineData("", "time: invalid duration \"\"")]
    public void GoDuration_RejectsWithGoMessage(string text, string message)
    {
        Assert.False(GoDuration.TryParse(text, out _, out var error));
        Assert.Equal(message, error);
    }
}
