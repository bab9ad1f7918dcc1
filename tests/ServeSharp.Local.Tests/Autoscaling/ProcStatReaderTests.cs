using System.Diagnostics;
using ServeSharp.Local.Autoscaling;
using ServeSharp.Local.Tests.Infrastructure;

namespace ServeSharp.Local.Tests.Autoscaling;

/// <summary>/proc/&lt;pid&gt;/stat parsing on a fake /proc tree, and on the real one for this test process.</summary>
public sealed class ProcStatReaderTests : IDisposable
{
    private readonly TempDirectory _proc = new();

    public void Dispose() => _proc.Dispose();

    /// <summary>Writes a stat line: fields 3.. are state, ppid, …, utime/stime/cutime/cstime (14-17), …, rss (24, in pages).</summary>
    internal static void WriteStat(string procRoot, int pid, string comm, int parent, long utime, long stime, long cutime = 0, long cstime = 0, long rssPages = 200)
    {
        var dir = Path.Combine(procRoot, pid.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "stat"), $"{pid} ({comm}) S {parent} 1 1 0 -1 4194304 100 0 0 0 {utime} {stime} {cutime} {cstime} 20 0 4 0 12345 100000 {rssPages} 18446744073709551615\n");
    }

    [Fact]
    public void TreeSeconds_SumsTheProcessAndAllDescendants_NotOthers()
    {
        WriteStat(_proc.Path, 100, "dotnet", 1, utime: 100, stime: 50, cutime: 10, cstime: 5);
        WriteStat(_proc.Path, 101, "odd (name) with spaces", 100, utime: 200, stime: 0);
        WriteStat(_proc.Path, 102, "grandchild", 101, utime: 30, stime: 20);
        WriteStat(_proc.Path, 200, "unrelated", 1, utime: 9999, stime: 9999);
        Directory.CreateDirectory(Path.Combine(_proc.Path, "self-not-a-pid"));
        var reader = new ProcStatReader(_proc.Path, ticksPerSecond: 100);

        var snapshot = reader.Snapshot();

        Assert.Equal(4, snapshot.Count);
        Assert.Equal(new ProcStat(100, 200L, 200L), snapshot[101]);
        Assert.Equal(4.15, reader.TreeSeconds(100, snapshot)!.Value, 6);
        Assert.Equal(2.5, reader.TreeSeconds(101, snapshot)!.Value, 6);
        Assert.Null(reader.TreeSeconds(4242, snapshot));
    }

    [Fact]
    public void TreeResidentBytes_SumsPagesOfTheProcessAndAllDescendants_TimesThePageSize()
    {
        WriteStat(_proc.Path, 100, "wrapper", 1, utime: 0, stime: 0, rssPages: 10);
        WriteStat(_proc.Path, 101, "model server", 100, utime: 0, stime: 0, rssPages: 1000);
        WriteStat(_proc.Path, 102, "worker", 101, utime: 0, stime: 0, rssPages: 5);
        WriteStat(_proc.Path, 200, "unrelated", 1, utime: 0, stime: 0, rssPages: 99999);
        var reader = new ProcStatReader(_proc.Path, ticksPerSecond: 100, pageSize: 4096);

        var snapshot = reader.Snapshot();

        Assert.Equal(1015L * 4096, reader.TreeResidentBytes(100, snapshot));
        Assert.Equal(1005L * 4096, reader.TreeResidentBytes(101, snapshot));
        Assert.Null(reader.TreeResidentBytes(4242, snapshot));
    }

    [Fact]
    public void RealProc_ThisProcessIsResident()
    {
        var reader = new ProcStatReader();
        var resident = reader.TreeResidentBytes(Environment.ProcessId, reader.Snapshot());
        Assert.True(resident > 1 << 20, $"resident bytes {resident}");
    }

    [Fact]
    public async Task RealProc_AProcessHoldingMemory_IsResidentByAboutThatMuchMore()
    {
        // Child processes of their own, one holding 32 MiB in a shell variable: measuring this process instead let the
        // tests running beside it (the GC giving memory back) shrink it by more than the test grew it.
        using var idle = StartShell("echo ready; exec sleep 60");
        using var holding = StartShell("x=$(head -c 33554432 /dev/zero | tr '\\0' a); echo ready; sleep 60");
        try
        {
            Assert.Equal("ready", await idle.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30)));
            Assert.Equal("ready", await holding.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30)));

            var reader = new ProcStatReader();
            var snapshot = reader.Snapshot();
            var idleBytes = reader.TreeResidentBytes(idle.Id, snapshot);
            var holdingBytes = reader.TreeResidentBytes(holding.Id, snapshot);
            Assert.True(idleBytes is > 0 and < 16 << 20, $"idle shell resident bytes {idleBytes}");
            Assert.True(holdingBytes - idleBytes > 24 << 20, $"resident bytes {idleBytes} (idle) and {holdingBytes} (holding 32 MiB)");
        }
        finally
        {
            idle.Kill(entireProcessTree: true);
            holding.Kill(entireProcessTree: true);
        }
    }

    private static Process StartShell(string script)
    {
        var start = new ProcessStartInfo("/bin/sh") { RedirectStandardOutput = true };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(script);
        return Process.Start(start)!;
    }

    [Fact]
    public void MalformedStat_IsSkipped()
    {
        WriteStat(_proc.Path, 100, "ok", 1, utime: 1, stime: 1);
        Directory.CreateDirectory(Path.Combine(_proc.Path, "101"));
        File.WriteAllText(Path.Combine(_proc.Path, "101", "stat"), "101 (truncated");
        Directory.CreateDirectory(Path.Combine(_proc.Path, "102"));
        File.WriteAllText(Path.Combine(_proc.Path, "102", "stat"), "102 (short) S 1 2");

        var snapshot = new ProcStatReader(_proc.Path, ticksPerSecond: 100).Snapshot();

        Assert.Equal([100], snapshot.Keys);
    }

    [Fact]
    public void RealProc_ThisProcessUsesMoreCpuAfterSpinning()
    {
        var reader = new ProcStatReader();
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
