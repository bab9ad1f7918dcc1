using System.CommandLine;
using ServeSharp.Cli.Commands;

namespace ServeSharp.Cli.Tests.Commands;

public sealed class ControlCommandsTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("servesharp-cli-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private string Write(string name, string text)
    {
        var path = Path.Combine(dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var root = new RootCommand();
        foreach (var command in CommandCatalog.All())
        {
            root.Subcommands.Add(command);
        }
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = root.Parse(args).Invoke(new InvocationConfiguration { Output = output, Error = error });
        return (code, output.ToString(), error.ToString());
    }

    private const string Sklearn = """
        apiVersion: serving.kserve.io/v1beta1
        kind: InferenceService
        metadata:
          name: sklearn-iris
        spec:
          predictor:
            sklearn:
              storageUri: gs://kfserving-examples/models/sklearn/1.0/model
        """;

    [Fact]
    public void Validate_ValidManifest_PrintsVerdictAndRuntime_ExitZero()
    {
        var (code, output, error) = Run("validate", "-f", Write("ok.yaml", Sklearn));
        Assert.Equal(0, code);
        Assert.Equal("inferenceservice.serving.kserve.io/sklearn-iris: valid (runtime: ClusterServingRuntime/servesharp-sklearn)\n", output.Replace("\r", "", StringComparison.Ordinal));
        Assert.Empty(error);
    }

    [Fact]
    public void Validate_Denied_PrintsKubectlAdmissionError_ExitNonZero()
    {
        var path = Write("bad.yaml", Sklearn.Replace("sklearn-iris", "Sklearn_Iris", StringComparison.Ordinal));
        var (code, output, error) = Run("validate", "-f", path);
        Assert.Equal(1, code);
        Assert.Contains("inferenceservice.serving.kserve.io/Sklearn_Iris: invalid", output, StringComparison.Ordinal);
        Assert.StartsWith(
            $"Error from server (Forbidden): error when creating \"{path}\": admission webhook \"inferenceservice.kserve-webhook-server.validator\" denied the request: " +
            "the InferenceService \"Sklearn_Iris\" is invalid: a InferenceService name must consist of lower case alphanumeric characters or '-'",
            error, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_SyntaxError_ClearMessageNoStackTrace()
    {
        var (code, _, error) = Run("validate", "-f", Write("broken.yaml", "spec: [unclosed\n"));
        Assert.Equal(1, code);
        Assert.StartsWith("error: error parsing ", error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_UnterminatedFlowCollection_ClearMessageNoStackTrace()
    {
        // YamlDotNet throws InvalidOperationException (not YamlException) for this one.
        var (code, _, error) = Run("validate", "-f", Write("flow.yaml", "kind: InferenceService\nmetadata: {name: broken\nspec: [\n"));
        Assert.Equal(1, code);
        Assert.StartsWith("error: error parsing ", error, StringComparison.Ordinal);
        Assert.Contains("malformed flow collection", error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_MissingFile_KubectlMessage()
    {
        var (code, _, error) = Run("validate", "-f", Path.Combine(dir, "nope.yaml"));
        Assert.Equal(1, code);
        Assert.Contains("does not exist", error, StringComparison.Ordinal);
    }

    [Fact]
    public void ApplyDryRun_Yaml_PrintsDefaultedObjectWithRuntime()
    {
        var (code, output, error) = Run("apply", "--dry-run", "-f", Write("ok.yaml", Sklearn), "-o", "yaml");
        Assert.Equal(0, code);
        Assert.Empty(error);
        Assert.Contains("    model:\n      modelFormat:\n        name: sklearn\n", output, StringComparison.Ordinal);
        Assert.DoesNotContain("sklearn:", output, StringComparison.Ordinal);
        Assert.Contains("  clusterServingRuntimeName: servesharp-sklearn\n", output, StringComparison.Ordinal);
        Assert.Contains("    modelFormat: sklearn\n", output, StringComparison.Ordinal);
    }

    [Fact]
    public void ApplyDryRun_Json_RuntimeInFileIsVisibleToLaterIsvc()
    {
        var text = """
            apiVersion: serving.kserve.io/v1alpha1
            kind: ServingRuntime
            metadata: {name: my-sklearn, namespace: default}
            spec:
              supportedModelFormats: [{name: sklearn, version: "1", autoSelect: true}]
              protocolVersions: [v1]
              containers: [{name: kserve-container, image: me/sk:1}]
            ---
            """ + "\n" + Sklearn;
        var (code, output, _) = Run("apply", "--dry-run", "-f", Write("two.yaml", text), "-o", "json");
        Assert.Equal(0, code);
        Assert.Contains("\"kind\": \"List\"", output, StringComparison.Ordinal);
        Assert.Contains("\"servingRuntimeName\": \"my-sklearn\"", output, StringComparison.Ordinal);
    }

    [Fact]
    public void ApplyDryRun_DefaultOutput_KubectlStyle()
    {
        var (code, output, _) = Run("apply", "--dry-run", "-f", Write("ok.yaml", Sklearn));
        Assert.Equal(0, code);
        Assert.StartsWith("inferenceservice.serving.kserve.io/sklearn-iris created (dry run)", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Apply_WithoutDryRun_SaysDaemonPathIsMissing()
    {
        var (code, _, error) = Run("apply", "-f", Write("ok.yaml", Sklearn), "--server", "http://127.0.0.1:1");
        Assert.Equal(1, code);
        Assert.Contains("http://127.0.0.1:1", error, StringComparison.Ordinal);
    }

    [Fact]
    public void ApplyDryRun_BadConfig_ClearError()
    {
        var config = Write("cfg.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: inferenceservice-config}\ndata:\n  deploy: '{\"defaultDeploymentMode\": \"Turbo\"}'\n");
        var (code, _, error) = Run("apply", "--dry-run", "-f", Write("ok.yaml", Sklearn), "--config", config);
        Assert.Equal(1, code);
        Assert.StartsWith("error: invalid deployment mode.", error, StringComparison.Ordinal);
    }

    [Fact]
    public void ApplyDryRun_ConfigStandardMode_StampsAnnotation()
    {
        var config = Write("cfg.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: inferenceservice-config}\ndata:\n  deploy: '{\"defaultDeploymentMode\": \"RawDeployment\"}'\n");
        var (code, output, _) = Run("apply", "--dry-run", "-f", Write("ok.yaml", Sklearn), "--config", config, "-o", "yaml");
        Assert.Equal(0, code);
        Assert.Contains("serving.kserve.io/deploymentMode: Standard", output, StringComparison.Ordinal);
    }
}
