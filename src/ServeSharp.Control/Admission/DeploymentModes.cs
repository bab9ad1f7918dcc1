namespace ServeSharp.Control.Admission;

/// <summary>Deployment modes and their legacy spellings (<c>RawDeployment</c>→Standard, <c>Serverless</c>→Knative).</summary>
public static class DeploymentModes
{
    /// <summary>Plain Deployments/Services (was RawDeployment).</summary>
    public const string Standard = "Standard";
    /// <summary>Knative Services (was Serverless).</summary>
    public const string Knative = "Knative";
    /// <summary>ModelMesh.</summary>
    public const string ModelMesh = "ModelMesh";
    /// <summary>Legacy name of Standard.</summary>
    public const string RawDeployment = "RawDeployment";
    /// <summary>Legacy name of Knative.</summary>
    public const string Serverless = "Serverless";

    /// <summary>The current name for a mode value, or null when the value is not a mode.</summary>
    public static string? Normalize(string? value) => value switch
    {
        Standard or RawDeployment => Standard,
        Knative or Serverless => Knative,
        ModelMesh => ModelMesh,
        _ => null,
    };

    /// <summary>
    /// <c>ParseDeploymentMode</c>: empty → Standard (<c>constants.DefaultDeployment</c>); unknown values are kept as written.
    /// </summary>
    public static string Parse(string? value) =>
        string.IsNullOrEmpty(value) ? Standard : Normalize(value) ?? value;
}

/// <summary>Deployment mode of a stored InferenceService (controller step 1 of §2.1).</summary>
public static class DeploymentModeResolver
{
    /// <summary><c>status.deploymentMode</c> (sticky), else the annotation, else the configured default — all normalized.</summary>
    public static string Resolve(Api.V1Beta1.InferenceService isvc, Configuration.InferenceServiceConfig config)
    {
        ArgumentNullException.ThrowIfNull(isvc);
        ArgumentNullException.ThrowIfNull(config);
        if (!string.IsNullOrEmpty(isvc.Status?.DeploymentMode))
        {
            return DeploymentModes.Parse(isvc.Status.DeploymentMode);
        }
        var annotation = isvc.GetAnnotation(Api.KServeConstants.DeploymentModeAnnotation);
        if (!string.IsNullOrEmpty(annotation))
        {
            return DeploymentModes.Parse(annotation);
        }
        return DeploymentModes.Parse(config.Deploy.DefaultDeploymentMode);
    }
}
