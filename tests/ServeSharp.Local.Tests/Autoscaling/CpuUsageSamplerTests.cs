using Microsoft.Extensions.Time.Testing;
using ServeSharp.Local.Autoscaling;
using ServeSharp.Local.Reconciling;
using ServeSharp.Local.Tests.Infrastructure;

namespace ServeSharp.Local.Tests.Autoscaling;

/// <summary>The cpu scale metric over a fake /proc and a fake clock, and the scaling decision it drives.</summary>
public sealed class CpuUsageSamplerTests : IDisposable
{
    private readonly TempDirectory _proc = new();
    private readonly FakeTimeProvider _time = new();

    public void Dispose() => _proc.Dispose();

    [Fact]
    public void Sample_IsCpuSecondsPerWallSecond_InPercentOfOneCore_SummedOverReplicas()
    {
        var sampler = new CpuUsageSampler(new ProcStatReader(_proc.Path, ticksPerSecond: 100), _time);
        ProcStatReaderTests.WriteStat(_proc.Path, 10, "replica-1", 1, utime: 1000, stime: 0);
        ProcStatReaderTests.WriteStat(_proc.Path, 11, "model-server", 10, utime: 500, stime: 0);
        ProcStatReaderTests.WriteStat(_proc.Path, 20, "replica-2", 1, utime: 0, stime: 0);

        Assert.Equal(0, sampler.Sample([10, 20]));

        // In 2 s: replica 1's tree used 1.2 s (60%), replica 2 used 0.4 s (20%).
        _time.Advance(TimeSpan.FromSeconds(2));
        ProcStatReaderTests.WriteStat(_proc.Path, 10, "replica-1", 1, utime: 1050, stime: 20);
        ProcStatReaderTests.WriteStat(_proc.Path, 11, "model-server", 10, utime: 550, stime: 0);
        ProcStatReaderTests.WriteStat(_proc.Path, 20, "replica-2", 1, utime: 30, stime: 10);
        Assert.Equal(80, sampler.Sample([10, 20]), 6);

        // Replica 2 exits, a new replica 30 appears (baseline only): 1 s with replica 1 at 100%.
        _time.Advance(TimeSpan.FromSeconds(1));
        Directory.Delete(Path.Combine(_proc.Path, "20"), recursive: true);
        ProcStatReaderTests.WriteStat(_proc.Path, 10, "replica-1", 1, utime: 1150, stime: 20);
        ProcStatReaderTests.WriteStat(_proc.Path, 30, "replica-3", 1, utime: 700, stime: 0);
        Assert.Equal(100, sampler.Sample([10, 20, 30]), 6);
    }

    [Fact]
    public void CpuScaleMetric_FromTheSpec_TargetIsAPercentWithoutHeadroom_DecidesCeilOfTotalOverTarget()
    {
        var component = new ServeSharp.Control.Api.V1Beta1.PredictorSpec { ScaleMetric = "cpu", ScaleTarget = 50, MinReplicas = 1, MaxReplicas = 10 };
        var spec = ComponentLauncher.Autoscaling(component);
        Assert.Equal(ScaleMetric.Cpu, spec.Metric);
        Assert.Equal(50, spec.TargetValue);
        Assert.Equal(80, (spec with { Target = null }).TargetValue);

        var scaler = new KpaScaler(spec, _time);
        scaler.Record(160);
        Assert.Equal(4, scaler.Decide(readyReplicas: 2, currentReplicas: 2).DesiredReplicas);

        var idle = new KpaScaler(spec, _time);
        idle.Record(30);
        Assert.Equal(1, idle.Decide(readyReplicas: 1, currentReplicas: 1).DesiredReplicas);
    }
}
