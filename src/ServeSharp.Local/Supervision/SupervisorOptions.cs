namespace ServeSharp.Local.Supervision;

/// <summary>Settings of the <see cref="ProcessSupervisor"/>; <see cref="Validate"/> runs at start-up.</summary>
public sealed class SupervisorOptions
{
    /// <summary>Root for replica logs (<c>logs/{group}/{replica}.log</c>) and pid files (<c>run/</c>).</summary>
    public string DataDirectory { get; set; } = string.Empty;

    /// <summary>Delay before the first restart of a crashed replica; doubles per consecutive crash.</summary>
    public TimeSpan InitialBackoff { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Upper bound of the restart delay.</summary>
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>A replica that stayed ready this long gets its crash count reset.</summary>
    public TimeSpan BackoffReset { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>How long a replica gets after SIGTERM before its process tree is killed.</summary>
    public TimeSpan StopGracePeriod { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Interval between readiness probes while a replica is starting (kept short: it bounds cold start).</summary>
    public TimeSpan StartupProbeInterval { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>Interval between readiness probes once a replica is ready.</summary>
    public TimeSpan ReadyProbeInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Consecutive failed probes after which a ready replica is taken out of rotation.</summary>
    public int FailureThreshold { get; set; } = 3;

    /// <summary>Log file paths live under here.</summary>
    public string LogDirectory => Path.Combine(DataDirectory, "logs");

    /// <summary>Pid files of running replicas live under here (reaped after a daemon crash).</summary>
    public string RunDirectory => Path.Combine(DataDirectory, "run");

    /// <summary>Throws <see cref="ArgumentException"/> describing the first invalid setting.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(DataDirectory))
        {
            throw new ArgumentException("Supervisor DataDirectory is required.");
        }

        if (InitialBackoff <= TimeSpan.Zero || MaxBackoff < InitialBackoff)
        {
            throw new ArgumentException($"Supervisor backoff must satisfy 0 < InitialBackoff ({InitialBackoff}) <= MaxBackoff ({MaxBackoff}).");
        }

        if (StopGracePeriod < TimeSpan.Zero || StartupProbeInterval <= TimeSpan.Zero || ReadyProbeInterval <= TimeSpan.Zero)
        {
            throw new ArgumentException("Supervisor StopGracePeriod must be >= 0 and probe intervals > 0.");
        }

        if (FailureThreshold < 1)
        {
            throw new ArgumentException($"Supervisor FailureThreshold must be >= 1 (got {FailureThreshold}).");
        }
    }
}
