using ServeSharp.Control.Api.V1Beta1;

namespace ServeSharp.Control.Naming;

/// <summary>Names of the objects KServe creates for an InferenceService (control-plane.md §2.2).</summary>
public static class ComponentNames
{
    /// <summary><c>{isvc}-predictor</c>, or <c>{isvc}-{predictor.name}-predictor</c>.</summary>
    public static string Predictor(InferenceService isvc)
    {
        ArgumentNullException.ThrowIfNull(isvc);
        return Predictor(isvc.Name, isvc.Spec.Predictor.Name);
    }

    /// <summary>Predictor object name for a variant name (null/empty for the plain one).</summary>
    public static string Predictor(string isvc, string? variant) =>
        string.IsNullOrEmpty(variant) ? $"{isvc}-predictor" : $"{isvc}-{variant}-predictor";

    /// <summary><c>{isvc}-{canary.predictor.name}-predictor</c>.</summary>
    public static string Canary(InferenceService isvc, CanarySpec canary)
    {
        ArgumentNullException.ThrowIfNull(isvc);
        ArgumentNullException.ThrowIfNull(canary);
        return Predictor(isvc.Name, canary.Predictor.Name);
    }

    /// <summary><c>{isvc}-transformer</c>.</summary>
    public static string Transformer(string isvc) => $"{isvc}-transformer";

    /// <summary><c>{isvc}-explainer</c>.</summary>
    public static string Explainer(string isvc) => $"{isvc}-explainer";

    /// <summary><c>{isvc}-predictor-worker</c>.</summary>
    public static string Worker(string isvc) => $"{isvc}-predictor-worker";

    /// <summary>Knative revision <c>{ksvc}-{00001}</c>.</summary>
    public static string Revision(string ksvc, int generation) =>
        $"{ksvc}-{generation.ToString("D5", System.Globalization.CultureInfo.InvariantCulture)}";

    /// <summary>Pod label <c>app=isvc.{component-object-name}</c>.</summary>
    public static string AppLabel(string componentObjectName) => $"isvc.{componentObjectName}";

    /// <summary>MMS model config map <c>modelconfig-{isvc}-0</c>.</summary>
    public static string ModelConfigMap(string isvc) => $"modelconfig-{isvc}-0";
}
