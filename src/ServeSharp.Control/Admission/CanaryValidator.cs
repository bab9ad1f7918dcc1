using ServeSharp.Control.Api;
using ServeSharp.Control.Api.V1Beta1;

namespace ServeSharp.Control.Admission;

/// <summary>
/// Rules of the Standard-mode canary list (<c>spec.canary[]</c>, control-plane.md §2.7). The KServe source available to
/// us did not include this validator's messages, so these messages are ServeSharp's own, in KServe's style.
/// </summary>
public static class CanaryValidator
{
    /// <summary>The first violation, or null.</summary>
    public static string? Validate(InferenceService isvc)
    {
        ArgumentNullException.ThrowIfNull(isvc);
        var canaries = isvc.Spec.Canary;
        if (canaries is not { Count: > 0 })
        {
            return null;
        }
        if (isvc.GetAnnotation(KServeConstants.DeploymentModeAnnotation) != DeploymentModes.Standard)
        {
            return "spec.canary is only supported in Standard deployment mode";
        }
        var stable = isvc.Spec.Predictor;
        if (stable.Model is null && InferenceServiceValidator.StorageUriOf(stable) is null)
        {
            return "spec.canary requires the stable predictor to set model or storageUri";
        }
        var names = new HashSet<string>(StringComparer.Ordinal);
        var total = 0;
        var stableMin = stable.MinReplicas ?? KServeConstants.DefaultMinReplicas;
        for (var i = 0; i < canaries.Count; i++)
        {
            var canary = canaries[i];
            var p = canary.Predictor;
            var at = $"spec.canary[{i}]";
            if (string.IsNullOrEmpty(p.Name))
            {
                return $"{at}.predictor.name is required";
            }
            if (p.Name == (stable.Name ?? ""))
            {
                return $"{at}.predictor.name \"{p.Name}\" must differ from the stable predictor name";
            }
            if (!names.Add(p.Name))
            {
                return $"{at}.predictor.name \"{p.Name}\" is not unique";
            }
            if (canary.TrafficPercent is not { } percent || percent is < 0 or > 100)
            {
                return $"{at}.trafficPercent must be between 0 and 100";
            }
            total += percent;
            if (p.WorkerSpec is not null)
            {
                return $"{at}.predictor.workerSpec is not supported for canaries";
            }
            if (p.MaxReplicas is not null || p.ScaleTarget is not null || p.ScaleMetric is not null || p.AutoScaling is not null)
            {
                return $"{at}.predictor may not set maxReplicas, scaleTarget, scaleMetric or autoScaling: canaries follow the stable predictor's autoscaling";
            }
            if (p.MinReplicas is { } min && min > stableMin)
            {
                return $"{at}.predictor.minReplicas ({min}) cannot exceed the stable predictor's minReplicas ({stableMin})";
            }
        }
        return total > 100 ? $"the sum of spec.canary[].trafficPercent ({total}) cannot exceed 100" : null;
    }
}
