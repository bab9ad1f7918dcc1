namespace ServeSharp.Local.Api;

/// <summary>
/// Defaulting / validation run on every write through the control API, in registration order (all hooks registered
/// in DI as <see cref="IAdmissionHook"/>). The control-plane admission (defaulting, validation, legacy mutation,
/// runtime selection) plugs in here. A hook that does not handle a kind returns <see cref="AdmissionResult.Allow"/>.
/// </summary>
public interface IAdmissionHook
{
    /// <summary>Decides on one write.</summary>
    ValueTask<AdmissionResult> AdmitAsync(AdmissionRequest request, CancellationToken cancellationToken);
}
