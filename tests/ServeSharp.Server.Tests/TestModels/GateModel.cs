using ServeSharp.Abstractions;

namespace ServeSharp.Server.Tests.TestModels;

/// <summary>An echo model that holds each request until <see cref="Release"/>; tracks disposal.</summary>
internal sealed class GateModel(string name) : EchoModel(name)
{
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public bool Disposed { get; private set; }

    public void Release() => _release.TrySetResult();

    public override async ValueTask<InferenceResponse> PredictAsync(InferenceRequest request, CancellationToken cancellationToken)
    {
        Entered.TrySetResult();
        await _release.Task.WaitAsync(cancellationToken);
        return await base.PredictAsync(request, cancellationToken);
    }

    public override ValueTask DisposeAsync()
    {
        Disposed = true;
        return ValueTask.CompletedTask;
    }
}
