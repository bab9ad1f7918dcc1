using System.Globalization;
using System.Runtime.InteropServices;

namespace ServeSharp.Server.Hosting;

/// <summary>
/// Ends a supervised model server whose supervisor is gone. A supervisor (<c>servesharp up</c>) sets
/// <see cref="Variable"/> to its own pid when it starts a replica; once this process's parent is another process (the
/// supervisor died, even by SIGKILL, and the kernel re-parented us), <see cref="Orphaned"/> is cancelled and the
/// server shuts down gracefully instead of holding its ports and model memory with no one to route to it or stop it.
/// Only a direct child is watched: a server the supervisor started through a wrapper (a shell, a runtime's own command)
/// has another parent from the start and keeps running. Linux only (elsewhere, and without the variable, nothing is
/// watched).
/// </summary>
public sealed partial class ParentProcessWatch : IDisposable
{
    /// <summary>The environment variable naming the supervisor's pid.</summary>
    public const string Variable = "SERVESHARP_PARENT_PID";

    // Never disposed: a check may be running while the watch is disposed, and cancelling a disposed source would
    // throw on a timer thread. Without linked tokens, a timer or a read wait handle it holds nothing to release.
    private readonly CancellationTokenSource _orphaned = new();
    private readonly ITimer? _timer;
    private readonly int _parent;
    private readonly Func<int> _currentParent;

    private ParentProcessWatch(int parent, Func<int> currentParent, TimeProvider time, TimeSpan interval)
    {
        _parent = parent;
        _currentParent = currentParent;
        _timer = time.CreateTimer(_ => Check(), null, TimeSpan.Zero, interval);
    }

    private ParentProcessWatch()
    {
        _currentParent = () => 0;
    }

    /// <summary>Cancelled once the supervisor is no longer this process's parent.</summary>
    public CancellationToken Orphaned => _orphaned.Token;

    /// <summary>Whether a supervisor is being watched.</summary>
    public bool IsWatching => _timer is not null;

    /// <summary>The watched supervisor's pid (0 when none is watched).</summary>
    public int SupervisorPid => _parent;

    /// <summary>
    /// Watches the supervisor named by <see cref="Variable"/> in <paramref name="environment"/> (default: this process's),
    /// checking every <paramref name="interval"/> (default 1 s); no watch when the variable is unset, not a pid, not this
    /// process's parent now, or not on Linux.
    /// </summary>
    public static ParentProcessWatch Start(TimeProvider time, TimeSpan? interval = null, string? environment = null)
    {
        ArgumentNullException.ThrowIfNull(time);
        var text = environment ?? Environment.GetEnvironmentVariable(Variable);
        return OperatingSystem.IsLinux() && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && pid > 1
            && NativeMethods.GetParentPid() == pid
            ? new ParentProcessWatch(pid, NativeMethods.GetParentPid, time, interval ?? TimeSpan.FromSeconds(1))
            : new ParentProcessWatch();
    }

    /// <summary>Watches <paramref name="parent"/> with <paramref name="currentParent"/> telling this process's parent (tests).</summary>
    internal static ParentProcessWatch Start(TimeProvider time, TimeSpan interval, int parent, Func<int> currentParent) =>
        new(parent, currentParent, time, interval);

    /// <inheritdoc />
    public void Dispose() => _timer?.Dispose();

    private void Check()
    {
        if (!_orphaned.IsCancellationRequested && _currentParent() != _parent)
        {
            _timer?.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            _orphaned.Cancel();
        }
    }

    private static partial class NativeMethods
    {
        [LibraryImport("libc", EntryPoint = "getppid")]
        internal static partial int GetParentPid();
    }
}
