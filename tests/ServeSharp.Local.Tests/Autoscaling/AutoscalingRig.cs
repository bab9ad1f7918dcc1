using Microsoft.Extensions.Logging.Abstractions;
using ServeSharp.Local.Autoscaling;
using ServeSharp.Local.Ingress;
using ServeSharp.Local.Supervision;
using ServeSharp.Local.Tests.Infrastructure;

namespace ServeSharp.Local.Tests.Autoscaling;

/// <summary>
/// What the autoscaling tests run against: a supervisor of real replica processes in a temp data directory, the
/// ingress on a free port and the autoscaler ticking every 200 ms.
/// </summary>
public sealed class AutoscalingRig : IAsyncDisposable
{
    private readonly TempDirectory _dir;

    private AutoscalingRig(TempDirectory dir, ProcessSupervisor supervisor, IngressServer ingress, RevisionAutoscaler autoscaler)
    {
        _dir = dir;
        Supervisor = supervisor;
        Ingress = ingress;
        Autoscaler = autoscaler;
    }

    public ProcessSupervisor Supervisor { get; }

    public IngressServer Ingress { get; }

    public RevisionAutoscaler Autoscaler { get; }

    public static async Task<AutoscalingRig> StartAsync()
    {
        var dir = new TempDirectory();
        var supervisor = new ProcessSupervisor(new SupervisorOptions { DataDirectory = dir.Path }, TimeProvider.System, NullLogger<ProcessSupervisor>.Instance);
        var ingress = await IngressServer.StartAsync(new IngressOptions { Port = 0 }, new IngressRouter(), TimeProvider.System);
        var autoscaler = new RevisionAutoscaler(new AutoscalerOptions { TickInterval = TimeSpan.FromMilliseconds(200) }, TimeProvider.System, NullLogger<RevisionAutoscaler>.Instance);
        autoscaler.Start();
        return new AutoscalingRig(dir, supervisor, ingress, autoscaler);
    }

    /// <summary>
    /// Runs <paramref name="template"/> as revision <paramref name="name"/>, routed by <paramref name="hosts"/> (and by
    /// path), and scaled by <paramref name="spec"/> unless it is null (then only by hand).
    /// </summary>
    public (ReplicaGroup Group, RevisionBackend Backend) Deploy(string name, ProcessTemplate template, IReadOnlyList<string> hosts, AutoscalerSpec? spec)
    {
        var group = Supervisor.GetOrCreateGroup(name, template);
        var backend = new RevisionBackend(name, group, TimeProvider.System);
        Ingress.Router.Update([new IngressRoute("default", name, hosts, [new IngressRule(null, TrafficSplit.To(backend))])]);
        if (spec is not null)
        {
            Autoscaler.Register(backend, group, spec);
        }

        return (group, backend);
    }

    public async ValueTask DisposeAsync()
    {
        Autoscaler.Dispose();
        await Ingress.DisposeAsync();
        await Supervisor.DisposeAsync();
        _dir.Dispose();
    }
}
