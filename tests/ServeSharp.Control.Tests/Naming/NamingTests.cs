using ServeSharp.Control.Admission;
using ServeSharp.Control.Api.V1Beta1;
using ServeSharp.Control.Configuration;
using ServeSharp.Control.Naming;

namespace ServeSharp.Control.Tests.Naming;

public class NamingTests
{
    private static InferenceService Isvc(string extra = "", string predictorName = "") => TestManifests.Parse<InferenceService>($$"""
        apiVersion: serving.kserve.io/v1beta1
        kind: InferenceService
        metadata: {name: iris, namespace: team}
        spec:
          predictor:
            {{(predictorName.Length > 0 ? "name: " + predictorName : "minReplicas: 1")}}
            model:
              modelFormat:
                name: sklearn
        {{extra}}
        """);

    [Fact]
    public void ComponentNames_FollowKServe()
    {
        Assert.Equal("iris-predictor", ComponentNames.Predictor(Isvc()));
        Assert.Equal("iris-blue-predictor", ComponentNames.Predictor(Isvc(predictorName: "blue")));
        Assert.Equal("iris-transformer", ComponentNames.Transformer("iris"));
        Assert.Equal("iris-explainer", ComponentNames.Explainer("iris"));
        Assert.Equal("iris-predictor-worker", ComponentNames.Worker("iris"));
        Assert.Equal("iris-predictor-00001", ComponentNames.Revision("iris-predictor", 1));
        Assert.Equal("isvc.iris-predictor", ComponentNames.AppLabel("iris-predictor"));
        Assert.Equal("modelconfig-iris-0", ComponentNames.ModelConfigMap("iris"));
    }

    [Fact]
    public void Standard_UrlsFromDomainTemplate()
    {
        var urls = ServiceUrls.For(Isvc(), DeploymentModes.Standard, new IngressConfig());
        Assert.Equal("http://iris-team.example.com", urls.Url);
        Assert.Equal("http://iris-predictor.team.svc.cluster.local", urls.Address);
        Assert.Equal("http://iris-predictor-team.example.com", urls.ComponentUrls["predictor"]);
        Assert.Equal([("iris-team.example.com", "iris-predictor"), ("iris-predictor-team.example.com", "iris-predictor")], urls.Hosts);
    }

    [Fact]
    public void Standard_CustomTemplateAndScheme_TransformerQuirk()
    {
        var ingress = new IngressConfig { DomainTemplate = "{{ .Name }}.{{ .Namespace }}.{{ .IngressDomain }}", IngressDomain = "models.io", UrlScheme = "https" };
        var urls = ServiceUrls.For(Isvc("  transformer: {containers: [{name: t, image: i}]}"), DeploymentModes.Standard, ingress);
        Assert.Equal("https://iris.team.models.io", urls.Url);
        Assert.Equal("http://iris-transformer.team.svc.cluster.local", urls.Address);
        Assert.Contains(("iris.team.models.io", "iris-transformer"), urls.Hosts);
        Assert.Contains(("iris-transformer.team.models.io", "iris-predictor"), urls.Hosts);
    }

    [Fact]
    public void Standard_ClusterLocal_NoExternalHost()
    {
        var urls = ServiceUrls.For(Isvc(), DeploymentModes.Standard, new IngressConfig { IngressDomain = "svc.cluster.local" });
        Assert.Equal("http://iris-predictor.team.svc.cluster.local", urls.Url);
        Assert.Empty(urls.Hosts);
    }

    [Fact]
    public void Knative_Urls_AndPathTemplate()
    {
        var urls = ServiceUrls.For(Isvc(), DeploymentModes.Knative, new IngressConfig());
        Assert.Equal("http://iris.team.example.com", urls.Url);
        Assert.Equal("http://iris.team.svc.cluster.local", urls.Address);
        Assert.Equal("http://iris-predictor.team.example.com", urls.ComponentUrls["predictor"]);
        var path = ServiceUrls.For(Isvc(), DeploymentModes.Knative, new IngressConfig { PathTemplate = "/serving/{{ .Namespace }}/{{ .Name }}", IngressDomain = "my.host" });
        Assert.Equal("http://my.host/serving/team/iris", path.Url);
    }

    [Fact]
    public void DomainTemplate_InvalidHost_ClearError()
    {
        var e = Assert.Throws<FormatException>(() => DomainTemplate.Host("{{ .Name }}_{{ .Namespace }}.{{ .IngressDomain }}", "iris", "team", "example.com"));
        Assert.Contains("iris_team.example.com", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, null, "Serverless", "Knative")]
    [InlineData(null, "RawDeployment", "Serverless", "Standard")]
    [InlineData("Serverless", "RawDeployment", "Standard", "Knative")]
    [InlineData(null, null, "ModelMesh", "ModelMesh")]
    public void DeploymentMode_StatusThenAnnotationThenConfig(string? status, string? annotation, string configured, string expected)
    {
        var isvc = Isvc();
        if (annotation is not null)
        {
            isvc.SetAnnotation("serving.kserve.io/deploymentMode", annotation);
        }
        if (status is not null)
        {
            isvc.Status = new InferenceServiceStatus { DeploymentMode = status };
        }
        var config = InferenceServiceConfig.Default with { Deploy = new DeployConfig { DefaultDeploymentMode = configured } };
        Assert.Equal(expected, DeploymentModeResolver.Resolve(isvc, config));
    }

    [Fact]
    public void ShippedConfigFile_EqualsCodeDefaults()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "..", "deploy", "config", "inferenceservice-config.yaml");
        var loaded = InferenceServiceConfigLoader.LoadFile(path);
        Assert.Equal(ServeSharp.Control.Serialization.KubeJson.Serialize(InferenceServiceConfig.Default), ServeSharp.Control.Serialization.KubeJson.Serialize(loaded));
    }

    [Theory]
    [InlineData("{\"defaultDeploymentMode\": \"\"}", "invalid deploy config, defaultDeploymentMode is required")]
    [InlineData("{\"defaultDeploymentMode\": \"Turbo\"}", "invalid deployment mode. Supported modes are Knative (Serverless), Standard (RawDeployment) and ModelMesh")]
    [InlineData("not json", "unable to parse deploy config json: ")]
    public void ConfigOverride_Rejected(string deploy, string message)
    {
        var text = $"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: inferenceservice-config}}\ndata:\n  deploy: '{deploy}'\n";
        var e = Assert.Throws<InvalidConfigurationException>(() => InferenceServiceConfigLoader.Load(text, "cfg.yaml"));
        Assert.StartsWith(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ConfigOverride_FieldByField()
    {
        var text = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: inferenceservice-config}\ndata:\n  ingress: '{\"ingressDomain\": \"models.io\"}'\n";
        var config = InferenceServiceConfigLoader.Load(text, "cfg.yaml");
        Assert.Equal("models.io", config.Ingress.IngressDomain);
        Assert.Equal("{{ .Name }}-{{ .Namespace }}.{{ .IngressDomain }}", config.Ingress.DomainTemplate);
    }
}
