using ServeSharp.Control.Api;
using ServeSharp.Control.Serialization;

namespace ServeSharp.Control.Tests;

/// <summary>Reads one YAML object for tests, failing loudly on any problem.</summary>
internal static class TestManifests
{
    public static T Parse<T>(string yaml) where T : KServeResource
    {
        var doc = Assert.Single(ManifestReader.Read(yaml, "test.yaml"));
        Assert.True(doc.Problem is null, doc.Problem is null ? "" : KubectlErrorFormatter.Format(doc, "test.yaml"));
        return Assert.IsType<T>(doc.Resource);
    }
}
