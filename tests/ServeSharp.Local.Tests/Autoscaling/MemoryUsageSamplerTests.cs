using ServeSharp.Control.Api.V1Beta1;
using ServeSharp.Local.Autoscaling;
using ServeSharp.Local.Reconciling;
using ServeSharp.Local.Tests.Infrastructure;

namespace ServeSharp.Local.Tests.Autoscaling;

/// <summary>The memory scale metric over a fake /proc, the memory request it is measured against, and the decision it drives.</summary>
public sealed class MemoryUsageSamplerTests : IDisposable
{
    private readonly TempDirectory _proc = new();

    public void Dispose() => _proc.Dispose();

    [Fact]
    public void Sample_IsResidentMemoryInPercentOfTheRequest_SummedOverReplicaTrees()
    {
        // 1 page = 1 MiB here, request 100 MiB: replica 10 holds 60 + 30 MiB (90%), replica 20 holds 50 MiB (50%).
        var reader = new ProcStatReader(_proc.Path, ticksPerSecond: 100, pageSize: 1 << 20);
        ProcStatReaderTests.WriteStat(_proc.Path, 10, "replica-1", 1, utime: 0, stime: 0, rssPages: 60);
        ProcStatReaderTests.WriteStat(_proc.Path, 11, "model-server", 10, utime: 0, stime: 0, rssPages: 30);
        ProcStatReaderTests.WriteStat(_proc.Path, 20, "replica-2", 1, utime: 0, stime: 0, rssPages: 50);
        ProcStatReaderTests.WriteStat(_proc.Path, 30, "not-a-replica", 1, utime: 0, stime: 0, rssPages: 5000);
        var sampler = new MemoryUsageSampler(reader, 100L << 20);

        Assert.Equal(140, sampler.Sample([10, 20, 20]), 6);

        // A replica that exited counts nothing.
        Directory.Delete(Path.Combine(_proc.Path, "20"), recursive: true);
        Assert.Equal(90, sampler.Sample([10, 20]), 6);
    }

    [Fact]
    public void MemoryScaleMetric_FromTheSpec_MeasuresAgainstTheRequest_TargetIsAPercentWithoutHeadroom()
    {
        var component = new PredictorSpec
        {
            ScaleMetric = "memory",
            ScaleTarget = 60,
            MinReplicas = 1,
            MaxReplicas = 10,
            Model = new ModelSpec { Resources = new() { Requests = new Dictionary<string, k8s.Models.ResourceQuantity> { ["memory"] = new("512Mi") } } },
        };
        var spec = ComponentLauncher.Autoscaling(component);
        Assert.Equal(ScaleMetric.Memory, spec.Metric);
        Assert.Equal(512L << 20, spec.MemoryRequestBytes);
        Assert.Equal(60, spec.TargetValue);
        Assert.Equal(80, (spec with { Target = null }).TargetValue);

        var scaler = new KpaScaler(spec, new Microsoft.Extensions.Time.Testing.FakeTimeProvider());
        scaler.Record(150);
        Assert.Equal(3, scaler.Decide(readyReplicas: 2, currentReplicas: 2).DesiredReplicas);
    }

    [Fact]
    public void MemoryRequest_PrefersRequestsThenLimits_ModelThenContainer_ElseKServesDefault()
    {
        static k8s.Models.V1ResourceRequirements Resources(string? request, string? limit) => new()
        {
            Requests = request is null ? null : new Dictionary<string, k8s.Models.ResourceQuantity> { ["memory"] = new(request) },
            Limits = limit is null ? null : new Dictionary<string, k8s.Models.ResourceQuantity> { ["memory"] = new(limit) },
        };

        Assert.Equal(1L << 30, ComponentLauncher.MemoryRequest(new PredictorSpec { Model = new ModelSpec { Resources = Resources("1Gi", "4Gi") } }));
        Assert.Equal(4L << 30, ComponentLauncher.MemoryRequest(new PredictorSpec { Model = new ModelSpec { Resources = Resources(null, "4Gi") } }));
        Assert.Equal(300_000_000, ComponentLauncher.MemoryRequest(new PredictorSpec { SKLearn = new PredictorExtensionSpec { Resources = Resources("300M", null) } }));
        Assert.Equal(64L << 20, ComponentLauncher.MemoryRequest(new TransformerSpec { Containers = [new k8s.Models.V1Container { Name = "t", Resources = Resources("64Mi", null) }] }));
        Assert.Null(ComponentLauncher.MemoryRequest(new PredictorSpec { Model = new ModelSpec() }));
        Assert.Equal(2L << 30, ComponentLauncher.Autoscaling(new PredictorSpec { ScaleMetric = "memory" }).MemoryRequestBytes);
    }
}
