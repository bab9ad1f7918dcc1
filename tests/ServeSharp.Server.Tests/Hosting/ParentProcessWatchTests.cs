using System.Globalization;
using Microsoft.Extensions.Time.Testing;
using ServeSharp.Server.Hosting;

namespace ServeSharp.Server.Tests.Hosting;

/// <summary>Which supervisors <see cref="ParentProcessWatch"/> watches (the end-to-end orphan case is in ServeSharp.Cli.Tests).</summary>
public sealed class ParentProcessWatchTests
{
    private static int ParentPid()
    {
        var stat = File.ReadAllText("/proc/self/stat");
        return int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1], CultureInfo.InvariantCulture);
    }

    [Fact]
    public void TheActualParent_IsWatched_AndNotReportedGoneWhileItLives()
    {
        var time = new FakeTimeProvider();
        using var watch = ParentProcessWatch.Start(time, TimeSpan.FromSeconds(1), ParentPid().ToString(CultureInfo.InvariantCulture));

        time.Advance(TimeSpan.FromSeconds(5));

        Assert.True(watch.IsWatching);
        Assert.False(watch.Orphaned.IsCancellationRequested);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("not-a-pid")]
    [InlineData("-5")]
    [InlineData("1")]
    public void NoVariable_OrNotTheParent_IsNotWatched(string? value)
    {
        // "1": a pid that is not this process's parent, as for a server started through a wrapper.
        using var watch = ParentProcessWatch.Start(new FakeTimeProvider(), TimeSpan.FromSeconds(1), value ?? string.Empty);

        Assert.False(watch.IsWatching);
        Assert.False(watch.Orphaned.IsCancellationRequested);
    }

    [Fact]
    public void ParentChanging_CancelsOrphaned_Once()
    {
        var time = new FakeTimeProvider();
        var parent = 4242;
        var cancellations = 0;
        using var watch = ParentProcessWatch.Start(time, TimeSpan.FromSeconds(1), 4242, () => parent);
        using var registration = watch.Orphaned.Register(() => cancellations++);

        time.Advance(TimeSpan.FromSeconds(3));
        Assert.False(watch.Orphaned.IsCancellationRequested);

        parent = 1; // re-parented to init: the supervisor is gone
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(watch.Orphaned.IsCancellationRequested);

        time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(1, cancellations);
    }

    [Fact]
    public void CheckRunningAfterDispose_DoesNotThrow()
    {
        // A timer callback already under way when the watch is disposed (the host shutting down just as the supervisor
        // died) must not throw on the timer's thread, which would end the process.
        var time = new CapturingTimeProvider();
        var parent = 4242;
        var watch = ParentProcessWatch.Start(time, TimeSpan.FromSeconds(1), 4242, () => parent);
        watch.Dispose();

        parent = 1;
        time.Fire();

        Assert.True(watch.Orphaned.IsCancellationRequested);
    }

    private sealed class CapturingTimeProvider : TimeProvider
    {
        private TimerCallback? _callback;
        private object? _state;

        public void Fire() => _callback!(_state);

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            (_callback, _state) = (callback, state);
            return new IdleTimer();
        }

        private sealed class IdleTimer : ITimer
        {
            public bool Change(TimeSpan dueTime, TimeSpan period) => true;

            public void Dispose()
            {
            }

            public ValueTask DisposeAsync() => ValueTask.CompletedTask;
        }
    }
}
