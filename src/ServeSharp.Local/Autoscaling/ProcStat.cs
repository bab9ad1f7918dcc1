namespace ServeSharp.Local.Autoscaling;

/// <summary>What the autoscaler reads of one process from <c>/proc/&lt;pid&gt;/stat</c>.</summary>
/// <param name="ParentPid">Field 4, <c>ppid</c>.</param>
/// <param name="CpuTicks">Fields 14–17: <c>utime + stime + cutime + cstime</c>, in clock ticks.</param>
/// <param name="ResidentPages">Field 24, <c>rss</c>: resident set size in pages.</param>
public readonly record struct ProcStat(int ParentPid, long CpuTicks, long ResidentPages);
