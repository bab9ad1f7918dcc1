using System.Text.RegularExpressions;
using ServeSharp.Control.Api.V1Alpha1;

namespace ServeSharp.Control.Admission;

/// <summary>
/// KServe's InferenceGraph webhook (<c>inference_graph_validation.go</c>). KServe walks the node map in Go's random
/// order; ServeSharp walks it in key order so the reported node is deterministic.
/// </summary>
public static partial class InferenceGraphValidator
{
    /// <summary>Webhook name.</summary>
    public const string WebhookName = "inferencegraph.kserve-webhook-server.validator";

    [GeneratedRegex("^[a-z]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex GraphName();

    /// <summary>Validates a create or update.</summary>
    public static AdmissionVerdict Validate(InferenceGraph ig)
    {
        ArgumentNullException.ThrowIfNull(ig);
        if (!GraphName().IsMatch(ig.Name))
        {
            return AdmissionVerdict.Deny(
                $"The InferenceGraph \"{ig.Name}\" is invalid: a InferenceGraph name must consist of lower case alphanumeric characters or '-', " +
                "and must start with alphabetical character. (e.g. \"my-name\" or \"abc-123\", regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')");
        }
        var nodes = (ig.Spec.Nodes ?? new Dictionary<string, InferenceRouter>()).OrderBy(n => n.Key, StringComparer.Ordinal).ToList();
        if (!nodes.Any(n => n.Key == "root"))
        {
            return AdmissionVerdict.Deny("root node not found, InferenceGraph needs a node with name 'root' as the root node of the graph");
        }
        foreach (var (nodeName, node) in nodes)
        {
            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (var step in node.Steps ?? [])
            {
                if (!string.IsNullOrEmpty(step.Name) && !names.Add(step.Name))
                {
                    return AdmissionVerdict.Deny($"Node \"{nodeName}\" of InferenceGraph \"{ig.Name}\" contains more than one step with name \"{step.Name}\"");
                }
            }
        }
        foreach (var (nodeName, node) in nodes)
        {
            var steps = node.Steps ?? [];
            for (var i = 0; i < steps.Count; i++)
            {
                var step = steps[i];
                var count = new[] { step.NodeName, step.ServiceName, step.ServiceUrl }.Count(t => !string.IsNullOrEmpty(t));
                if (count == 0)
                {
                    return AdmissionVerdict.Deny($"Step {i} (\"{step.Name}\") in node \"{nodeName}\" of InferenceGraph \"{ig.Name}\" does not specify an inference target");
                }
                if (count != 1)
                {
                    return AdmissionVerdict.Deny($"Step {i} (\"{step.Name}\") in node \"{nodeName}\" of InferenceGraph \"{ig.Name}\" specifies more than one of nodeName, serviceName, serviceUrl");
                }
            }
        }
        foreach (var (nodeName, node) in nodes)
        {
            if (node.RouterType != "Splitter")
            {
                continue;
            }
            long weight = 0;
            foreach (var step in node.Steps ?? [])
            {
                if (step.Weight is null)
                {
                    return AdmissionVerdict.Deny($"InferenceGraph[{ig.Name}] Node[{nodeName}] Route[{step.ServiceName}] missing the 'Weight'");
                }
                weight += step.Weight.Value;
            }
            if (weight != 100)
            {
                return AdmissionVerdict.Deny($"InferenceGraph[{ig.Name}] Node[{nodeName}] splitter node: the sum of traffic weights for all routing targets should be 100");
            }
        }
        return AdmissionVerdict.Allowed;
    }
}
