using System.Text.RegularExpressions;
using ServeSharp.Control.Api.V1Alpha1;

namespace ServeSharp.Control.Admission;

/// <summary>KServe's TrainedModel webhook (<c>trainedmodel_webhook.go</c>).</summary>
public static partial class TrainedModelValidator
{
    /// <summary>Webhook name.</summary>
    public const string WebhookName = "trainedmodel.kserve-webhook-server.validator";

    /// <summary>Prefixes the model agent can download (<c>storage.GetAllProtocol()</c>).</summary>
    public static IReadOnlyList<string> StorageUriProtocols { get; } = ["s3://", "gs://", "https://", "http://"];

    [GeneratedRegex("^[a-zA-Z0-9_-]+$")]
    private static partial Regex TmName();

    /// <summary>Validates a create, or an update when <paramref name="old"/> is given (memory is immutable).</summary>
    public static AdmissionVerdict Validate(TrainedModel tm, TrainedModel? old = null)
    {
        ArgumentNullException.ThrowIfNull(tm);
        if (old is not null)
        {
            var before = old.Spec.Model.Memory;
            var after = tm.Spec.Model.Memory;
            if ((decimal?)before != (decimal?)after)
            {
                return AdmissionVerdict.Deny(
                    $"the Trained Model \"{tm.Name}\" memory field is immutable. The memory was \"{before}\" but it is updated to \"{after}\"");
            }
        }
        if (!TmName().IsMatch(tm.Name))
        {
            return AdmissionVerdict.Deny(
                $"the Trained Model \"{tm.Name}\" is invalid: a Trained Model name must consist of alphanumeric characters, '_', or '-'. " +
                "(e.g. \"my-Name\" or \"abc_123\", regex used for validation is '^[a-zA-Z0-9_-]+$')");
        }
        var uri = tm.Spec.Model.StorageUri ?? "";
        if (!StorageUriProtocols.Any(p => uri.StartsWith(p, StringComparison.Ordinal)))
        {
            return AdmissionVerdict.Deny(
                $"the Trained Model \"{tm.Name}\" storageUri field is invalid. The storage uri must start with one of the prefixes: " +
                $"{string.Join(", ", StorageUriProtocols)}. (the storage uri given is \"{uri}\")");
        }
        return AdmissionVerdict.Allowed;
    }
}
