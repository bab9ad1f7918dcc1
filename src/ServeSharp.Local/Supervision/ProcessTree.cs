using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace ServeSharp.Local.Supervision;

/// <summary>
/// OS-level process operations the supervisor needs beyond <see cref="Process"/>: SIGTERM, descendants (so a
/// wrapper's children never outlive it) and start times (so a stale pid file never kills a recycled pid).
/// On non-Linux systems the /proc-based parts degrade to "unknown" and the supervisor falls back to Kill.
/// </summary>
internal static partial class ProcessTree
{
    private const int Sigterm = 15;

    /// <summary>Sends SIGTERM; returns false when unsupported or the process is gone.</summary>
    public static bool Terminate(int pid) =>
        !OperatingSystem.IsWindows() && NativeMethods.Kill(pid, Sigterm) == 0;

    /// <summary>All descendants of <paramref name="pid"/> (children first), from /proc; empty when unknown.</summary>
    public static IReadOnlyList<int> Descendants(int pid)
    {
        if (!OperatingSystem.IsLinux())
        {
            return [];
        }

        var parents = new Dictionary<int, List<int>>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var child))
            {
                continue;
            }

            var stat = ReadStat(child);
            if (stat is not null)
            {
                if (!parents.TryGetValue(stat.Value.ParentPid, out var list))
                {
                    parents[stat.Value.ParentPid] = list = [];
                }

                list.Add(child);
            }
        }

        var result = new List<int>();
        var queue = new Queue<int>([pid]);
        while (queue.Count > 0)
        {
            if (parents.TryGetValue(queue.Dequeue(), out var children))
            {
                foreach (var c in children)
                {
                    result.Add(c);
                    queue.Enqueue(c);
                }
            }
        }

        return result;
    }

    /// <summary>The process start time in clock ticks since boot (/proc/pid/stat field 22), or null.</summary>
    public static long? StartTicks(int pid) => ReadStat(pid)?.StartTicks;

    /// <summary>
    /// True while the process that started at <paramref name="startTicks"/> still runs. A zombie (killed, waiting to be
    /// reaped by its parent or by init) does not run any more.
    /// </summary>
    public static bool IsRunning(int pid, long startTicks) =>
        ReadStat(pid) is { } stat && stat.StartTicks == startTicks && stat.State != 'Z' && stat.State != 'X';

    /// <summary>Kills <paramref name="pid"/> if it still is the process that started at <paramref name="startTicks"/>.</summary>
    public static void KillIfSame(int pid, long startTicks)
    {
        if (StartTicks(pid) != startTicks)
        {
            return;
        }

        try
        {
            using var process = Process.GetProcessById(pid);
            process.Kill(entireProcessTree: true);
        }
        catch (ArgumentException)
        {
            // Already gone.
        }
        catch (InvalidOperationException)
        {
            // Exited between the check and the kill.
        }
    }

    private static (int ParentPid, long StartTicks, char State)? ReadStat(int pid)
    {
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }

        // The command name (field 2) is in parentheses and may contain spaces: parse after the last ')'.
        var close = text.LastIndexOf(')');
        if (close < 0)
        {
            return null;
        }

        var fields = text[(close + 2)..].Split(' ');

        // fields[0] is field 3 (state); parent pid is field 4, start time field 22.
        return fields.Length > 19
            && int.TryParse(fields[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var ppid)
            && long.TryParse(fields[19], NumberStyles.Integer, CultureInfo.InvariantCulture, out var start)
            && fields[0].Length == 1
            ? (ppid, start, fields[0][0])
            : null;
    }

    private static partial class NativeMethods
    {
        [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
        internal static partial int Kill(int pid, int signal);
    }
}
