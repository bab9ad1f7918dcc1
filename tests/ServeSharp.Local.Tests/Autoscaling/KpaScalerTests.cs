using Microsoft.Extensions.Time.Testing;
using ServeSharp.Local.Autoscaling;

namespace ServeSharp.Local.Tests.Autoscaling;

public sealed class KpaScalerTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 23, 10, 0, 0, TimeSpan.Zero));

    /// <summary>Feeds one sample per second for <paramref name="seconds"/> seconds and returns the last decision.</summary>
    private ScaleDecision Run(KpaScaler scaler, double value, int seconds, Func<int> ready, ref int current)
    {
        ScaleDecision decision = default;
        for (var i = 0; i < seconds; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(1));
            scaler.Record(value);
            decision = scaler.Decide(ready(), current);
            current = decision.DesiredReplicas;
        }

        return decision;
    }

    [Fact]
    public void Stable_DesiredIsConcurrencyOverTargetTimesUtilisation()
    {
        var scaler = new KpaScaler(new AutoscalerSpec { Target = 10 }, _time);
        var current = 3;

        // 7 per replica is the effective target (10 × 70%): 20 in flight → ceil(20 / 7) = 3.
        var decision = Run(scaler, 20, 60, () => current, ref current);

        Assert.Equal(3, decision.DesiredReplicas);
        Assert.False(decision.InPanic);
    }

    [Fact]
    public void Rps_UsesItsOwnDefaultTarget()
    {
        var scaler = new KpaScaler(new AutoscalerSpec { Metric = ScaleMetric.Rps }, _time);
        var current = 3;

        // 200 rps × 70% = 140 per replica: 400 rps → ceil(2.86) = 3.
        Assert.Equal(3, Run(scaler, 400, 60, () => current, ref current).DesiredReplicas);
    }

    [Fact]
    public void Burst_EntersPanic_NeverScalesDownInPanic_AndLeavesAfterAStableWindow()
    {
        var scaler = new KpaScaler(new AutoscalerSpec { Target = 10 }, _time);
        var current = 1;
        Run(scaler, 5, 60, () => current, ref current);
        Assert.Equal(1, current);

        // Burst: 35 in flight for 6 s. The panic window sees 35 → 5 replicas ≥ 2 × 1 ready: panic.
        var burst = Run(scaler, 35, 6, () => 1, ref current);
        Assert.True(burst.InPanic);
        Assert.Equal(5, burst.DesiredReplicas);

        // Demand drops; still in panic (less than a stable window since the last over-threshold tick): hold 5.
        var calm = Run(scaler, 1, 30, () => 5, ref current);
        Assert.True(calm.InPanic);
        Assert.Equal(5, calm.DesiredReplicas);

        // After a full stable window below the threshold, panic ends and the scale-down rate (÷2) applies.
        var after = Run(scaler, 1, 31, () => 5, ref current);
        Assert.False(after.InPanic);
        Assert.True(after.DesiredReplicas < 5);
    }

    [Fact]
    public void ScaleDownRate_LimitsEachStep()
    {
        var scaler = new KpaScaler(new AutoscalerSpec { Target = 10 }, _time);
        var current = 10;
        _time.Advance(TimeSpan.FromSeconds(1));
        scaler.Record(0.5);

        // Wants 1 but may only halve the 10 ready replicas per decision.
        Assert.Equal(5, scaler.Decide(10, current).DesiredReplicas);
    }

    [Fact]
    public void ScaleToZero_OnlyAfterIdleStableWindowAndGracePeriod()
    {
        var scaler = new KpaScaler(new AutoscalerSpec { Target = 10, MinReplicas = 0 }, _time);
        var current = 1;
        Run(scaler, 3, 10, () => current, ref current);
        Assert.Equal(1, current);

        // Idle: the stable average stays > 0 until the busy seconds leave the 60 s window.
        Run(scaler, 0, 55, () => current, ref current);
        Assert.Equal(1, current);

        // Then demand is 0, but the last replica stays for the 30 s grace period.
        Run(scaler, 0, 20, () => current, ref current);
        Assert.Equal(1, current);
        Run(scaler, 0, 20, () => current, ref current);
        Assert.Equal(0, current);
    }

    [Fact]
    public void MinReplicasOne_NeverScalesToZero()
    {
        var scaler = new KpaScaler(new AutoscalerSpec { Target = 10, MinReplicas = 1 }, _time);
        var current = 1;

        Assert.Equal(1, Run(scaler, 0, 200, () => current, ref current).DesiredReplicas);
    }

    [Fact]
    public void MaxReplicas_CapsDesired()
    {
        var scaler = new KpaScaler(new AutoscalerSpec { Target = 1, MaxReplicas = 3 }, _time);
        var current = 1;

        Assert.Equal(3, Run(scaler, 100, 60, () => current, ref current).DesiredReplicas);
    }

    [Fact]
    public void ScaleDownDelay_HoldsThePeakForTheDelay()
    {
        var scaler = new KpaScaler(new AutoscalerSpec { Target = 10, StableWindow = TimeSpan.FromSeconds(6), ScaleDownDelay = TimeSpan.FromSeconds(30) }, _time);
        var current = 1;
        Run(scaler, 28, 6, () => current, ref current);
        Assert.Equal(4, current);

        Run(scaler, 1, 20, () => current, ref current);
        Assert.Equal(4, current);
        Run(scaler, 1, 15, () => current, ref current);
        Assert.True(current < 4);
        Run(scaler, 1, 40, () => current, ref current);
        Assert.Equal(1, current);
    }

    [Fact]
    public void NoData_KeepsCurrentWithinBounds()
    {
        var scaler = new KpaScaler(new AutoscalerSpec { MinReplicas = 2, MaxReplicas = 4 }, _time);

        Assert.Equal(3, scaler.Decide(3, 3).DesiredReplicas);
        Assert.Equal(2, scaler.Decide(0, 0).DesiredReplicas);
    }

    [Theory]
    [InlineData(-1, 0)]
    [InlineData(3, 2)]
    public void InvalidBounds_AreRejected(int min, int max)
    {
        Assert.Throws<ArgumentException>(() => new KpaScaler(new AutoscalerSpec { MinReplicas = min, MaxReplicas = max }, _time));
    }
}
