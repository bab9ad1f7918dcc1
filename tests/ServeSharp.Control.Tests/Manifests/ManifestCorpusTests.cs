using System.Text.RegularExpressions;
using ServeSharp.Control.Configuration;
using ServeSharp.Control.Pipeline;
using ServeSharp.Control.Runtimes;
using ServeSharp.Control.Serialization;

namespace ServeSharp.Control.Tests.Manifests;

/// <summary>
/// Real-world manifests modelled on KServe's documentation samples. Each file states, one line per document,
/// <c># expect: valid [runtime|none[:Reason]]</c>, <c>denied "text"</c>, <c>strict "text"</c>, <c>invalid "text"</c> or <c>missing "text"</c>.
/// </summary>
public partial class ManifestCorpusTests
{
    private static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "Manifests");

    [GeneratedRegex("^# expect: (?<verdict>valid|denied|strict|invalid|missing)(?: (?<arg>.+))?$")]
    private static partial Regex Expect();

    public static TheoryData<string> Files()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.EnumerateFiles(Folder).Where(f => f.EndsWith(".yaml", StringComparison.Ordinal) || f.EndsWith(".json", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(file));
        }
        return data;
    }

    [Fact]
    public void Corpus_HasAtLeastFortyManifests() => Assert.True(Files().Count >= 40, $"only {Files().Count} manifests");

    [Theory]
    [MemberData(nameof(Files))]
    public void Manifest_GetsKServesVerdictAndRuntime(string name)
    {
        var path = Path.Combine(Folder, name);
        var text = File.ReadAllText(path);
        var expectText = File.Exists(path + ".expect") ? File.ReadAllText(path + ".expect") : text;
        var expectations = expectText.Split('\n').Select(l => Expect().Match(l.TrimEnd('\r'))).Where(m => m.Success).ToList();
        var outcomes = new ManifestDryRun(InferenceServiceConfig.Default, BuiltInRuntimes.DefaultCatalog()).Run(text, name);
        Assert.Equal(expectations.Count, outcomes.Count);
        for (var i = 0; i < outcomes.Count; i++)
        {
            var outcome = outcomes[i];
            var verdict = expectations[i].Groups["verdict"].Value;
            var arg = expectations[i].Groups["arg"].Success ? expectations[i].Groups["arg"].Value : null;
            if (verdict == "valid")
            {
                Assert.True(outcome.IsAdmitted, outcome.IsAdmitted ? "" : outcome.FormatError(name));
                if (arg is null)
                {
                    continue;
                }
                var selection = outcome.Runtime;
                if (arg == "none")
                {
                    Assert.True(selection is null || selection.NotApplicable);
                }
                else if (arg.StartsWith("none:", StringComparison.Ordinal))
                {
                    Assert.Equal(arg["none:".Length..], selection!.FailureReason);
                }
                else
                {
                    Assert.Equal(arg, selection!.Runtime?.Name);
                }
                continue;
            }
            Assert.False(outcome.IsAdmitted, $"document {i} was admitted");
            var expectedKind = verdict switch
            {
                "denied" => ManifestProblemKind.Denied,
                "strict" => ManifestProblemKind.StrictDecoding,
                "invalid" => ManifestProblemKind.Invalid,
                _ => ManifestProblemKind.MissingTypeInfo,
            };
            Assert.Equal(expectedKind, outcome.Problem!.Kind);
            var message = outcome.FormatError(name);
            Assert.Contains(Unquote(arg!), message, StringComparison.Ordinal);
        }
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Manifest_RoundTripsThroughYamlAndJson(string name)
    {
        var text = File.ReadAllText(Path.Combine(Folder, name));
        var original = ManifestReader.Read(text, name);
        var raws = original.Select(d => d.Raw).ToList();
        var yaml = JsonToYamlWriter.Write(raws);
        var again = ManifestReader.Read(yaml, "roundtrip.yaml");
        Assert.Equal(raws.Select(r => r.ToJsonString()), again.Select(d => d.Raw.ToJsonString()));
        Assert.Equal(original.Select(d => d.Problem?.Kind), again.Select(d => d.Problem?.Kind));
        foreach (var document in original.Where(d => d.Resource is not null))
        {
            // Typed objects serialize back to JSON that reads to the same typed object.
            var json = KubeJson.Serialize(document.Resource!);
            var reread = Assert.Single(ManifestReader.Read(json, "roundtrip.json"));
            Assert.Null(reread.Problem);
            Assert.Equal(json, KubeJson.Serialize(reread.Resource!));
        }
    }

    private static string Unquote(string arg)
    {
        var text = arg.StartsWith('"') ? arg[1..] : arg;
        text = text.EndsWith('"') && !text.EndsWith("\\\"", StringComparison.Ordinal) ? text[..^1] : text;
        return text.Replace("\\\"", "\"", StringComparison.Ordinal);
    }
}
