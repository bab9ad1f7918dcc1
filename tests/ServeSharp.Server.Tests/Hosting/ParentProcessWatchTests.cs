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
}
