using System.Globalization;
using System.Runtime.InteropServices;

namespace ServeSharp.Local.Autoscaling;

/// <summary>
/// Reads CPU time from <c>/proc/&lt;pid&gt;/stat</c> (Linux): user + system time of a process, plus that of its waited-for
/// children (<c>cutime</c>, <c>cstime</c>), summed over the process and all its live descendants, so a replica that runs
/// its model server through a wrapper is measured as a whole. The <c>/proc</c> root and clock tick rate can be given
/// for tests.
/// </summary>
public sealed partial class ProcCpuReader
{
    private const int ScClkTck = 2;
    private readonly string _procRoot;
    private readonly double _ticksPerSecond;

    /// <summary>Creates a reader over <paramref name="procRoot"/> (default <c>/proc</c>) with the system's clock tick rate unless given.</summary>
    public ProcCpuReader(string procRoot = "/proc", double? ticksPerSecond = null)
    {
        _procRoot = procRoot;
        _ticksPerSecond = ticksPerSecond ?? SystemTicksPerSecond();
        if (_ticksPerSecond <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(ticksPerSecond), "Clock ticks per second must be positive.");
        }
    }

    /// <summary>One pass over every process: parent pid and CPU ticks by pid.</summary>
    public IReadOnlyDictionary<int, (int ParentPid, long Ticks)> Snapshot()
    {
        var result = new Dictionary<int, (int, long)>();
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
    public double? TreeSeconds(int pid, IReadOnlyDictionary<int, (int ParentPid, long Ticks)> snapshot)
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

        var ticks = root.Ticks;
        var queue = new Queue<int>([pid]);
        var seen = new HashSet<int> { pid };
        while (queue.Count > 0)
        {
            if (children.TryGetValue(queue.Dequeue(), out var list))
            {
                foreach (var child in list.Where(seen.Add))
                {
                    ticks += snapshot[child].Ticks;
                    queue.Enqueue(child);
                }
            }
        }

        return ticks / _ticksPerSecond;
    }

    private (int ParentPid, long Ticks)? Read(int pid)
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
        long total = 0;

        // Fields 14-17: utime, stime, cutime, cstime.
        for (var field = 14; field <= 17; field++)
        {
            if (fields.Length <= field - 3 || !long.TryParse(fields[field - 3], NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
            {
                return null;
            }

            total += value;
        }

        return int.TryParse(fields[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var parent) ? (parent, total) : null;
    }

    private static double SystemTicksPerSecond()
    {
        if (!OperatingSystem.IsLinux())
        {
            return 100;
        }

        var ticks = NativeMethods.Sysconf(ScClkTck);
        return ticks > 0 ? ticks : 100;
    }

    private static partial class NativeMethods
    {
        [LibraryImport("libc", EntryPoint = "sysconf")]
        internal static partial long Sysconf(int name);
    }
}
