using ServeSharp.Control.Api.V1Beta1;

namespace ServeSharp.Control.Admission;

/// <summary><c>validateMultipleStorageURIs</c>: storageUri vs storageUris, and the storageUris entries (transformer, explainer, then predictor).</summary>
public static class StorageUrisValidator
{
    /// <summary>The KServe message for setting both.</summary>
    public const string BothSetError = "Setting both StorageURI and StorageURIs is not supported.";

    /// <summary>The first violation, or null.</summary>
    public static string? Validate(InferenceService isvc)
    {
        ArgumentNullException.ThrowIfNull(isvc);
        foreach (var component in new ComponentSpec?[] { isvc.Spec.Transformer, isvc.Spec.Explainer, isvc.Spec.Predictor })
        {
            if (component is null)
            {
                continue;
            }
            var implementations = ComponentImplementations.Of(component);
            var storageUri = component is PredictorSpec p
                ? (implementations.Count > 0 ? InferenceServiceValidator.StorageUriOf(p) : null)
                : implementations.Count > 0 ? implementations[0].StorageUri(component) : null;
            if (storageUri is not null && component.StorageUris is not null)
            {
                return BothSetError;
            }
            if (ValidateEntries(component.StorageUris) is { } error)
            {
                return error;
            }
        }
        return null;
    }

    /// <summary><c>validateMultipleStorageURIsSpec</c>.</summary>
    public static string? ValidateEntries(IList<StorageUriSpec>? storageUris)
    {
        if (storageUris is not { Count: > 0 })
        {
            return null;
        }
        var paths = new List<string>();
        var pvcPaths = new List<string>();
        foreach (var entry in storageUris)
        {
            var mountPath = entry.MountPath ?? Api.KServeConstants.DefaultModelLocalMountPath;
            if (string.IsNullOrEmpty(entry.Uri))
            {
                return "storage URI cannot be empty";
            }
            if (mountPath == "/")
            {
                return "storage path cannot be empty";
            }
            if (!mountPath.StartsWith('/'))
            {
                return $"storage path must be absolute: {mountPath}";
            }
            if (mountPath.Contains("..", StringComparison.Ordinal))
            {
                return $"storage path cannot contain '..' for security reasons: {mountPath}";
            }
            (entry.Uri.StartsWith("pvc://", StringComparison.Ordinal) ? pvcPaths : paths).Add(mountPath);
        }
        // ⚠ As in KServe, both checks below are skipped when at most one non-PVC path exists.
        if (paths.Count <= 1)
        {
            return null;
        }
        if (pvcPaths.Count > 1 && pvcPaths.Distinct(StringComparer.Ordinal).Count() != pvcPaths.Count)
        {
            return "PVC storage paths must be unique";
        }
        var parent = CommonParentPath(paths);
        return parent == "/"
            ? $"storage paths must have a common parent directory. Current paths: [{string.Join(" ", paths)}] have no common parent beyond root"
            : null;
    }

    /// <summary><c>utils.FindCommonParentPath</c>: the longest common directory prefix ("/" when none).</summary>
    public static string CommonParentPath(IReadOnlyList<string> paths)
    {
        ArgumentNullException.ThrowIfNull(paths);
        if (paths.Count == 0)
        {
            return "/";
        }
        var split = paths.Select(p => p.Trim('/').Split('/', StringSplitOptions.RemoveEmptyEntries)).ToList();
        var common = new List<string>();
        for (var i = 0; ; i++)
        {
            if (split.Any(s => s.Length <= i) || split.Select(s => s[i]).Distinct(StringComparer.Ordinal).Count() != 1)
            {
                break;
            }
            common.Add(split[0][i]);
        }
        return "/" + string.Join('/', common);
    }
}
