using ServeSharp.Control.Api;
using ServeSharp.Control.Api.V1Alpha1;
using ServeSharp.Control.Api.V1Beta1;

namespace ServeSharp.Control.Runtimes;

/// <summary>
/// KServe's runtime selection (control-plane.md §3.3, <c>reconcileModel</c> / <c>GetSupportingRuntimes</c>), quirks included:
/// exact, case-sensitive format/version label matching ("1" ≠ "1.0"); an unset protocol counts as v1; namespace runtimes
/// always come before cluster runtimes whatever their priority; disabled and multiModel runtimes are skipped when
/// auto-selecting (but not when named explicitly).
/// </summary>
public static class RuntimeSelector
{
    /// <summary>Chooses the runtime for <paramref name="isvc"/>'s predictor (after defaulting).</summary>
    public static RuntimeSelection Select(InferenceService isvc, IRuntimeCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(isvc);
        ArgumentNullException.ThrowIfNull(catalog);
        var model = isvc.Spec.Predictor.Model;
        if (model is null)
        {
            return new RuntimeSelection { NotApplicable = true };
        }
        var format = model.ModelFormat ?? new ModelFormat();

        if (!string.IsNullOrEmpty(model.Runtime))
        {
            ServingRuntimeBase? runtime = catalog.ServingRuntimes(isvc.Namespace).FirstOrDefault(r => r.Name == model.Runtime)
                ?? (ServingRuntimeBase?)catalog.ClusterServingRuntimes().FirstOrDefault(r => r.Name == model.Runtime);
            if (runtime is null)
            {
                return RuntimeSelection.Fail("RuntimeNotRecognized", "Waiting for runtime to become available");
            }
            if (runtime.Spec.IsDisabled())
            {
                return RuntimeSelection.Fail("RuntimeDisabled", "Specified runtime is disabled");
            }
            if (model.ProtocolVersion is not null && !runtime.Spec.SupportsProtocol(model.ProtocolVersion))
            {
                return RuntimeSelection.Fail("NoSupportingRuntime", "Specified runtime does not support specified protocol version");
            }
            if (!SupportsFormat(runtime.Spec, format, autoSelectOnly: false))
            {
                return RuntimeSelection.Fail("NoSupportingRuntime", "Specified runtime does not support specified framework/version");
            }
            return new RuntimeSelection { Runtime = runtime };
        }

        var candidates = SupportingRuntimes(isvc, catalog);
        return candidates.Count == 0
            ? RuntimeSelection.Fail("NoSupportingRuntime", "No runtime found to support specified framework/version")
            : new RuntimeSelection { Runtime = candidates[0] };
    }

    /// <summary>All auto-selectable runtimes in KServe's preference order (namespace runtimes first).</summary>
    public static IReadOnlyList<ServingRuntimeBase> SupportingRuntimes(InferenceService isvc, IRuntimeCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(isvc);
        ArgumentNullException.ThrowIfNull(catalog);
        var model = isvc.Spec.Predictor.Model;
        if (model?.ModelFormat is null)
        {
            return [];
        }
        var protocol = model.EffectiveProtocol();
        var multinode = isvc.Spec.Predictor.WorkerSpec is not null;
        bool Eligible(ServingRuntimeBase r) =>
            !r.Spec.IsDisabled() && !r.Spec.IsMultiModel() &&
            SupportsFormat(r.Spec, model.ModelFormat, autoSelectOnly: true) &&
            r.Spec.SupportsProtocol(protocol) &&
            (r.Spec.WorkerSpec is not null) == multinode;

        var namespaced = Order(catalog.ServingRuntimes(isvc.Namespace).Where(Eligible), model.ModelFormat.Name);
        var cluster = Order(catalog.ClusterServingRuntimes().Where(Eligible), model.ModelFormat.Name);
        return [.. namespaced, .. cluster];
    }

    /// <summary>
    /// Format matching by labels: the model's <c>mt:name[:version]</c> must be in the runtime's label set.
    /// </summary>
    public static bool SupportsFormat(ServingRuntimeSpec spec, ModelFormat format, bool autoSelectOnly)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(format);
        var wanted = string.IsNullOrEmpty(format.Version) ? $"mt:{format.Name}" : $"mt:{format.Name}:{format.Version}";
        var labels = new HashSet<string>(StringComparer.Ordinal);
        foreach (var supported in spec.SupportedModelFormats ?? [])
        {
            if (autoSelectOnly && supported.AutoSelect != true)
            {
                continue;
            }
            labels.Add($"mt:{supported.Name}");
            if (!string.IsNullOrEmpty(supported.Version))
            {
                labels.Add($"mt:{supported.Name}:{supported.Version}");
            }
        }
        return labels.Contains(wanted);
    }

    /// <summary>The runtime's lowest protocol rank (v1=1 … grpc-v2=4; none listed = 5).</summary>
    public static int LowestProtocolRank(ServingRuntimeSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return spec.ProtocolVersions is { Count: > 0 } list ? list.Min(InferenceProtocolVersion.Rank) : 5;
    }

    /// <summary>The lowest protocol the runtime lists, or "" when it lists none.</summary>
    public static string LowestProtocol(ServingRuntimeSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return spec.ProtocolVersions is { Count: > 0 } list ? list.OrderBy(InferenceProtocolVersion.Rank).First() : "";
    }

    private static List<ServingRuntimeBase> Order(IEnumerable<ServingRuntimeBase> runtimes, string? formatName)
    {
        var sorted = runtimes
            .OrderBy(r => LowestProtocolRank(r.Spec))
            .ThenByDescending(r => r.Metadata.CreationTimestamp ?? DateTime.MinValue)
            .ThenBy(r => r.Name, StringComparer.Ordinal)
            .ToList();
        // Stable: runtimes with a priority for this format first, higher first; the rest keep their order.
        return sorted
            .Select((r, i) => (Runtime: r, Index: i, Priority: PriorityFor(r.Spec, formatName)))
            .OrderBy(x => x.Priority is null ? 1 : 0)
            .ThenByDescending(x => x.Priority ?? 0)
            .ThenBy(x => x.Index)
            .Select(x => x.Runtime)
            .ToList();
    }

    /// <summary><c>GetPriority</c>: the priority of the first supported format with this exact name.</summary>
    public static int? PriorityFor(ServingRuntimeSpec spec, string? formatName)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return spec.SupportedModelFormats?.FirstOrDefault(f => f.Name == formatName)?.Priority;
    }
}
