using System.Text.Json;
using System.Text.Json.Nodes;
using ServeSharp.Control.Admission;
using ServeSharp.Control.Serialization;

namespace ServeSharp.Control.Configuration;

/// <summary>
/// Loads an <see cref="InferenceServiceConfig"/> from a file holding the <c>inferenceservice-config</c> ConfigMap (its
/// <c>data</c> values are JSON documents, as in KServe). Each section present in the file overrides the shipped defaults
/// field by field; then the configuration is validated with KServe's messages.
/// </summary>
public static class InferenceServiceConfigLoader
{
    /// <summary>Loads and validates the file; throws <see cref="InvalidConfigurationException"/> with a clear message.</summary>
    public static InferenceServiceConfig LoadFile(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidConfigurationException($"cannot read {path}: {e.Message}", e);
        }
        return Load(text, path);
    }

    /// <summary>Loads and validates ConfigMap YAML text.</summary>
    public static InferenceServiceConfig Load(string text, string source)
    {
        IReadOnlyList<YamlToJsonConverter.YamlDocumentNode> documents;
        try
        {
            documents = YamlToJsonConverter.Convert(text, source);
        }
        catch (ManifestSyntaxException e)
        {
            throw new InvalidConfigurationException(e.Message, e);
        }
        if (documents.Count != 1 || documents[0].Root is not JsonObject root || root["kind"]?.GetValue<string>() != "ConfigMap")
        {
            throw new InvalidConfigurationException($"{source}: expected one ConfigMap (inferenceservice-config)");
        }
        var merged = KubeJson.SerializeToNode(InferenceServiceConfig.Default).AsObject();
        if (root["data"] is JsonObject data)
        {
            foreach (var (key, value) in data)
            {
                if (value is not JsonValue v || v.GetValueKind() != JsonValueKind.String)
                {
                    throw new InvalidConfigurationException($"{source}: data.{key} must be a string holding JSON");
                }
                if (!merged.ContainsKey(key))
                {
                    continue; // Keys ServeSharp does not use (localModel, opentelemetryCollector, ...) are accepted and ignored.
                }
                JsonNode? section;
                try
                {
                    section = JsonNode.Parse(v.GetValue<string>());
                }
                catch (JsonException e)
                {
                    throw new InvalidConfigurationException($"unable to parse {key} config json: {e.Message}", e);
                }
                if (section is not JsonObject sectionObject)
                {
                    throw new InvalidConfigurationException($"unable to parse {key} config json: expected an object");
                }
                var target = merged[key]!.AsObject();
                foreach (var (field, fieldValue) in sectionObject)
                {
                    target[field] = fieldValue?.DeepClone();
                }
            }
        }
        InferenceServiceConfig config;
        try
        {
            config = KubeJson.Deserialize<InferenceServiceConfig>(merged);
        }
        catch (JsonException e)
        {
            throw new InvalidConfigurationException($"{source}: {e.Message}", e);
        }
        Validate(config);
        return config;
    }

    /// <summary>Checks the rules KServe applies when it reads the ConfigMap.</summary>
    public static void Validate(InferenceServiceConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (string.IsNullOrEmpty(config.Deploy.DefaultDeploymentMode))
        {
            throw new InvalidConfigurationException("invalid deploy config, defaultDeploymentMode is required");
        }
        if (DeploymentModes.Normalize(config.Deploy.DefaultDeploymentMode) is null)
        {
            throw new InvalidConfigurationException(
                "invalid deployment mode. Supported modes are Knative (Serverless), Standard (RawDeployment) and ModelMesh");
        }
        var ingress = config.Ingress;
        if (ingress.EnableGatewayApi)
        {
            if (string.IsNullOrEmpty(ingress.KserveIngressGateway))
            {
                throw new InvalidConfigurationException("invalid ingress config - kserveIngressGateway is required");
            }
            var parts = ingress.KserveIngressGateway.Split('/');
            if (parts.Length != 2)
            {
                throw new InvalidConfigurationException("invalid ingress config - kserveIngressGateway should be in the format <namespace>/<name>");
            }
            if (!Naming.DnsLabel.IsValid(parts[0]))
            {
                throw new InvalidConfigurationException("invalid ingress config - kserveIngressGateway gateway namespace is invalid");
            }
            if (!Naming.DnsLabel.IsValid(parts[1]))
            {
                throw new InvalidConfigurationException("invalid ingress config - kserveIngressGateway gateway name is invalid");
            }
        }
        if (string.IsNullOrEmpty(ingress.IngressGateway))
        {
            throw new InvalidConfigurationException("invalid ingress config - ingressGateway is required");
        }
        if (!string.IsNullOrEmpty(ingress.PathTemplate) && string.IsNullOrEmpty(ingress.IngressDomain))
        {
            throw new InvalidConfigurationException("invalid ingress config - ingressDomain is required if pathTemplate is given");
        }
    }
}

/// <summary>The <c>inferenceservice-config</c> file is unreadable or violates KServe's rules.</summary>
public sealed class InvalidConfigurationException : Exception
{
    /// <summary>Creates the exception.</summary>
    public InvalidConfigurationException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public InvalidConfigurationException(string message, Exception inner) : base(message, inner)
    {
    }

    /// <summary>Creates the exception.</summary>
    public InvalidConfigurationException()
    {
    }
}
