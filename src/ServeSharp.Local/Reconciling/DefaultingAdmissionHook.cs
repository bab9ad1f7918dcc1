using System.Text.Json;
using ServeSharp.Control.Admission;
using ServeSharp.Control.Api.V1Beta1;
using ServeSharp.Control.Configuration;
using ServeSharp.Control.Serialization;
using ServeSharp.Local.Api;

namespace ServeSharp.Local.Reconciling;

/// <summary>Runs the control plane's InferenceService defaulting (KServe's mutating webhook) on every create and update.</summary>
public sealed class DefaultingAdmissionHook(InferenceServiceConfig config) : IAdmissionHook
{
    private readonly InferenceServiceDefaulter _defaulter = new(config);

    /// <inheritdoc />
    public ValueTask<AdmissionResult> AdmitAsync(AdmissionRequest request, CancellationToken cancellationToken)
    {
        if (request.Object is null || request.Type.Kind != "InferenceService")
        {
            return ValueTask.FromResult(AdmissionResult.Allow());
        }

        InferenceService isvc;
        try
        {
            isvc = KubeJson.Deserialize<InferenceService>(request.Object);
        }
        catch (JsonException e)
        {
            return ValueTask.FromResult(AdmissionResult.Deny($"{e.Path}: {e.Message}"));
        }

        _defaulter.Default(isvc);
        var defaulted = KubeJson.SerializeToNode(isvc).AsObject();
        return ValueTask.FromResult(AdmissionResult.AllowWith(defaulted));
    }
}
