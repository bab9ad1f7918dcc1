using System.Globalization;
using System.Runtime.InteropServices;

namespace ServeSharp.Local.Autoscaling;

/// <summary>
/// Reads <c>/proc/&lt;pid&gt;/stat</c> (Linux) for the <c>cpu</c> and <c>memory</c> scale metrics: CPU time (user + system
/// time of a process, plus that of its waited-for children, <c>cutime</c>/<c>cstime</c>) and resident memory, each summed
/// over the process and all its live descendants, so a replica that runs its model server through a wrapper is measured
/// as a whole. The <c>/proc</c> root, clock tick rate and page size can be given for tests.
/// </summary>
public sealed partial class ProcStatReader
{
    private const int ScClkTck = 2;
    private const int ScPageSize = 30;
    private readonly string _procRoot;
    private readonly double _ticksPerSecond;
    private readonly long _pageSize;

    /// <summary>Creates a reader over <paramref name="procRoot"/> (default <c>/proc</c>) with the system's clock tick rate and page size unless given.</summary>
    public ProcStatReader(string procRoot = "/proc", double? ticksPerSecond = null, long? pageSize = null)
    {
        _procRoot = procRoot;
        _ticksPerSecond = ticksPerSecond ?? SystemValue(ScClkTck, 100);
        if (_ticksPerSecond <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(ticksPerSecond), "Clock ticks per second must be positive.");
        }

        _pageSize = pageSize ?? (long)SystemValue(ScPageSize, 4096);
        if (_pageSize <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(pageSize), "The page size must be positive.");
        }
    }

    /// <summary>One pass over every process: its stat by pid.</summary>
    public IReadOnlyDictionary<int, ProcStat> Snapshot()
    {
        var result = new Dictionary<int, ProcStat>();
        IEnumerable<string> dirs;
        try
        {
            dirs = Directory.EnumerateDirectories(_procRoot);
        }
        catch (IOException)
        {
            return result;
        }

        foreach (var dir in dirs)
        {
            if (int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && Read(pid) is { } stat)
            {
                result[pid] = stat;
            }
        }

        return result;
    }

    /// <summary>CPU seconds used so far by <paramref name="pid"/> and its descendants in <paramref name="snapshot"/>, or null when the process is gone.</summary>
    public double? TreeSeconds(int pid, IReadOnlyDictionary<int, ProcStat> snapshot) =>
        TreeSum(pid, snapshot, s => s.CpuTicks) is { } ticks ? ticks / _ticksPerSecond : null;

    /// <summary>Resident bytes of <paramref name="pid"/> and its descendants in <paramref name="snapshot"/>, or null when the process is gone.</summary>
    public long? TreeResidentBytes(int pid, IReadOnlyDictionary<int, ProcStat> snapshot) =>
        TreeSum(pid, snapshot, s => s.ResidentPages) * _pageSize;

    private static long? TreeSum(int pid, IReadOnlyDictionary<int, ProcStat> snapshot, Func<ProcStat, long> field)
    {
        if (!snapshot.TryGetValue(pid, out var root))
        {
            return null;
        }

        var children = new Dictionary<int, List<int>>();
        foreach (var (child, stat) in snapshot)
        {
            if (!children.TryGetValue(stat.ParentPid, out var list))
            {
                children[stat.ParentPid] = list = [];
            }

            list.Add(child);
        }

        var total = field(root);
        var queue = new Queue<int>([pid]);
        var seen = new HashSet<int> { pid };
        while (queue.Count > 0)
        {
            if (children.TryGetValue(queue.Dequeue(), out var list))
            {
                foreach (var child in list.Where(seen.Add))
                {
                    total += field(snapshot[child]);
                    queue.Enqueue(child);
                }
            }
        }

        return total;
    }

    private ProcStat? Read(int pid)
    {
        string text;
        try
        {
            text = File.ReadAllText(Path.Combine(_procRoot, pid.ToString(CultureInfo.InvariantCulture), "stat"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        // Field 2 (comm) is in parentheses and may hold spaces: split after the last ')'. fields[0] is field 3.
        var close = text.LastIndexOf(')');
        if (close < 0 || close + 2 > text.Length)
        {
            return null;
        }

        var fields = text[(close + 2)..].Split(' ');
        long ticks = 0;

        // Fields 14-17: utime, stime, cutime, cstime.
        for (var field = 14; field <= 17; field++)
        {
            if (Field(fields, field) is not { } value)
            {
                return null;
            }

            ticks += value;
        }

        return Field(fields, 4) is { } parent && parent is >= 0 and <= int.MaxValue && Field(fields, 24) is { } rss
            ? new ProcStat((int)parent, ticks, Math.Max(0, rss))
            : null;
    }

    /// <summary>Stat field <paramref name="number"/> (1-based as in proc(5)); <paramref name="fields"/> starts at field 3.</summary>
    private static long? Field(string[] fields, int number) =>
        fields.Length > number - 3 && long.TryParse(fields[number - 3], NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : null;

    private static double SystemValue(int name, double fallback)
    {
        if (!OperatingSystem.IsLinux())
        {
            return fallback;
        }

        var value = NativeMethods.Sysconf(name);
        return value > 0 ? value : fallback;
    }

    private static partial class NativeMethods
    {
        [LibraryImport("libc", EntryPoint = "sysconf")]
        internal static partial long Sysconf(int name);
    }
}
