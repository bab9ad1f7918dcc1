using ServeSharp.Control.Api;
using ServeSharp.Control.Api.V1Beta1;

namespace ServeSharp.Control.Admission;

/// <summary><c>validateAutoScalingCompExtension</c> and its HPA / KEDA / KPA rules, with KServe's quirks.</summary>
public static class AutoscalingValidator
{
    /// <summary>The first violation for <paramref name="component"/>, or null.</summary>
    public static string? Validate(IDictionary<string, string>? annotations, ComponentSpec component)
    {
        ArgumentNullException.ThrowIfNull(component);
        string? Get(string key) => annotations is not null && annotations.TryGetValue(key, out var v) ? v : null;
        var mode = Get(KServeConstants.DeploymentModeAnnotation);
        if (mode == DeploymentModes.Standard)
        {
            // ⚠ With no autoscalerClass annotation nothing is checked in Standard mode.
            return Get(KServeConstants.AutoscalerClassAnnotation) switch
            {
                "hpa" => ValidateHpa(component),
                "keda" => ValidateKeda(component),
                _ => null,
            };
        }
        return Get(KServeConstants.KnativeAutoscalerClassAnnotation) == KServeConstants.KnativeHpaClass
            ? ValidateHpa(component)
            : ValidateKpa(component);
    }

    private static string? ValidateHpa(ComponentSpec c)
    {
        var metric = c.ScaleMetric ?? "cpu";
        if (metric is not ("cpu" or "memory"))
        {
            return $"[{metric}] is not a supported metric";
        }
        if (c.ScaleTarget is { } target)
        {
            // ⚠ Go precedence: (cpu && target < 1) || target > 100 — any metric above 100 is rejected.
            if ((metric == "cpu" && target < 1) || target > 100)
            {
                return "the target utilization percentage should be a [1-100] integer";
            }
            if (metric == "memory" && target < 1)
            {
                return "the target memory should be greater than 1 MiB";
            }
        }
        foreach (var m in c.AutoScaling?.Metrics ?? [])
        {
            if (m.Type != "Resource")
            {
                return $"invalid HPA metric source type with value [{m.Type}],valid metric source types are Resource";
            }
            if (m.Resource is null)
            {
                return "metricSpec.Resource is not set for resource metric source type";
            }
        }
        return null;
    }

    private static string? ValidateKeda(ComponentSpec c)
    {
        if (c.ScaleMetric is not null)
        {
            return "ScaleMetric is not supported for KEDA";
        }
        foreach (var m in c.AutoScaling?.Metrics ?? [])
        {
            switch (m.Type)
            {
                case "Resource":
                    if (m.Resource is null)
                    {
                        return "metricSpec.Resource is not set for resource metric source type";
                    }
                    switch (m.Resource.Name)
                    {
                        case "cpu":
                            if (m.Resource.Target.Type != "Utilization")
                            {
                                return "the cpu target value type should be Utilization";
                            }
                            break;
                        case "memory":
                            if (m.Resource.Target.Type is not ("AverageValue" or "Utilization"))
                            {
                                return "the memory target value type should be AverageValue or Utilization";
                            }
                            if (m.Resource.Target.Type == "AverageValue" &&
                                (m.Resource.Target.AverageValue is null || (decimal)m.Resource.Target.AverageValue < 1024 * 1024))
                            {
                                return "the memory target value should be greater than 1 MiB";
                            }
                            break;
                        default:
                            return $"resource type {m.Resource.Name} is not supported";
                    }
                    if (ValidateTarget(m.Resource.Target) is { } resourceError)
                    {
                        return resourceError;
                    }
                    break;
                case "External":
                    if (m.External is null)
                    {
                        return "metricSpec.External is not set for external metric source type";
                    }
                    if (string.IsNullOrEmpty(m.External.Metric.Query))
                    {
                        return "the query should not be empty";
                    }
                    if (m.External.Target.Value is null)
                    {
                        return "the target threshold value should not be empty";
                    }
                    if (ValidateTarget(m.External.Target) is { } externalError)
                    {
                        return externalError;
                    }
                    break;
                case "PodMetric":
                    if (m.PodMetric is null)
                    {
                        return "metricSpec.PodMetric is not set for pod metric source type";
                    }
                    if (string.IsNullOrEmpty(m.PodMetric.Metric.Query))
                    {
                        return "the query should not be empty";
                    }
                    if (m.PodMetric.Target.Value is null)
                    {
                        return "the target threshold value should not be empty";
                    }
                    if (ValidateTarget(m.PodMetric.Target) is { } podError)
                    {
                        return podError;
                    }
                    break;
                default:
                    return $"unknown KEDA metric type with value [{m.Type}].Valid types are Resource,External,PodMetric";
            }
        }
        return null;
    }

    private static string? ValidateTarget(MetricTarget target) => target.Type switch
    {
        "Utilization" when target.AverageUtilization is null => "the AverageUtilization type should be set",
        "Utilization" when target.AverageUtilization is < 1 or > 100 => "the target utilization percentage should be a [1-100] integer",
        "AverageValue" when target.AverageValue is null => "the AverageValue type should be set",
        "Value" when target.Value is null => "the Value type should be set",
        _ => null,
    };

    private static string? ValidateKpa(ComponentSpec c)
    {
        if (c.DeploymentStrategy is not null)
        {
            return "customizing deploymentStrategy is only supported for raw deployment mode";
        }
        var metric = c.ScaleMetric ?? "concurrency";
        if (metric is not ("concurrency" or "rps"))
        {
            return $"[{metric}] is not a supported metric";
        }
        if (c.ScaleTarget is { } target && metric == "rps" && target < 1)
        {
            return "the target for rps should be greater than 1";
        }
        return null;
    }
}
