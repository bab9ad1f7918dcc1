using System.Diagnostics;
using ServeSharp.Local.Autoscaling;
using ServeSharp.Local.Tests.Infrastructure;

namespace ServeSharp.Local.Tests.Autoscaling;

/// <summary>/proc/&lt;pid&gt;/stat parsing on a fake /proc tree, and on the real one for this test process.</summary>
public sealed class ProcCpuReaderTests : IDisposable
{
    private readonly TempDirectory _proc = new();

    public void Dispose() => _proc.Dispose();

    /// <summary>Writes a stat line: fields 3.. are state, ppid, then zeros up to utime/stime/cutime/cstime (14-17).</summary>
    internal static void WriteStat(string procRoot, int pid, string comm, int parent, long utime, long stime, long cutime = 0, long cstime = 0)
    {
        var dir = Path.Combine(procRoot, pid.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "stat"), $"{pid} ({comm}) S {parent} 1 1 0 -1 4194304 100 0 0 0 {utime} {stime} {cutime} {cstime} 20 0 4 0 12345 100000 200 18446744073709551615\n");
    }

    [Fact]
    public void TreeSeconds_SumsTheProcessAndAllDescendants_NotOthers()
    {
        WriteStat(_proc.Path, 100, "dotnet", 1, utime: 100, stime: 50, cutime: 10, cstime: 5);
        WriteStat(_proc.Path, 101, "odd (name) with spaces", 100, utime: 200, stime: 0);
        WriteStat(_proc.Path, 102, "grandchild", 101, utime: 30, stime: 20);
        WriteStat(_proc.Path, 200, "unrelated", 1, utime: 9999, stime: 9999);
        Directory.CreateDirectory(Path.Combine(_proc.Path, "self-not-a-pid"));
        var reader = new ProcCpuReader(_proc.Path, ticksPerSecond: 100);

        var snapshot = reader.Snapshot();

        Assert.Equal(4, snapshot.Count);
        Assert.Equal((100, 200L), snapshot[101]);
        Assert.Equal(4.15, reader.TreeSeconds(100, snapshot)!.Value, 6);
        Assert.Equal(2.5, reader.TreeSeconds(101, snapshot)!.Value, 6);
        Assert.Null(reader.TreeSeconds(4242, snapshot));
    }

    [Fact]
    public void MalformedStat_IsSkipped()
    {
        WriteStat(_proc.Path, 100, "ok", 1, utime: 1, stime: 1);
        Directory.CreateDirectory(Path.Combine(_proc.Path, "101"));
        File.WriteAllText(Path.Combine(_proc.Path, "101", "stat"), "101 (truncated");
        Directory.CreateDirectory(Path.Combine(_proc.Path, "102"));
        File.WriteAllText(Path.Combine(_proc.Path, "102", "stat"), "102 (short) S 1 2");

        var snapshot = new ProcCpuReader(_proc.Path, ticksPerSecond: 100).Snapshot();

        Assert.Equal([100], snapshot.Keys);
    }

    [Fact]
    public void RealProc_ThisProcessUsesMoreCpuAfterSpinning()
    {
        var reader = new ProcCpuReader();
        var before = reader.TreeSeconds(Environment.ProcessId, reader.Snapshot());
        Assert.NotNull(before);

        // Spin until the kernel has charged at least one more clock tick (bounded; a broken reader never sees it).
        var deadline = Stopwatch.GetTimestamp() + (Stopwatch.Frequency * 10);
        double? after = before;
        var x = 0UL;
        while (after <= before + 0.02 && Stopwatch.GetTimestamp() < deadline)
        {
            var until = Stopwatch.GetTimestamp() + (Stopwatch.Frequency / 20);
            while (Stopwatch.GetTimestamp() < until)
            {
                x = unchecked((x * 6364136223846793005UL) + 1);
            }

            after = reader.TreeSeconds(Environment.ProcessId, reader.Snapshot());
        }

        GC.KeepAlive(x);
        Assert.True(after > before, $"cpu seconds {before} -> {after}");
    }
}
