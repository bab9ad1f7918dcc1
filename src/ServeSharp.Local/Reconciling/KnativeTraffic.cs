namespace ServeSharp.Local.Reconciling;

/// <summary>
/// Knative's traffic rules for one component (KServe's <c>canaryTrafficPercent</c>): with a percent and a rolled-out
/// revision other than the latest, the latest gets the percent (once ready) and the rolled-out one the rest (tag
/// <c>prev</c>); otherwise the latest takes everything, except that a not-yet-ready latest leaves the traffic with the
/// rolled-out one (blue-green). A ready latest at 100% becomes the rolled-out revision.
/// </summary>
internal static class KnativeTraffic
{
    public static List<RevisionTraffic> Compute(ComponentState state, long? canaryPercent, bool tagged)
    {
        var split = new List<RevisionTraffic>();
        var latest = state.Latest;
        if (latest is null)
        {
            return split;
        }

        latest.EverReady |= !latest.Group.Ready.IsEmpty;
        var rolled = state.Revisions.FirstOrDefault(r => r.Name == state.LatestRolledOut);
        var latestTag = tagged ? "latest" : null;
        if (canaryPercent is { } p && rolled is not null && rolled != latest)
        {
            var canary = latest.EverReady ? (int)Math.Clamp(p, 0, 100) : 0;
            split.Add(new RevisionTraffic(latest, canary, latestTag));
            if (canary < 100)
            {
                split.Add(new RevisionTraffic(rolled, 100 - canary, "prev"));
            }
        }
        else if (!latest.EverReady && rolled is not null && rolled != latest)
        {
            split.Add(new RevisionTraffic(latest, 0, latestTag));
            split.Add(new RevisionTraffic(rolled, 100, "prev"));
        }
        else
        {
            split.Add(new RevisionTraffic(latest, 100, latestTag));
        }

        if (latest.EverReady && split.Any(s => s.Revision == latest && s.Percent == 100) && state.LatestRolledOut != latest.Name)
        {
            state.PreviousRolledOut = state.LatestRolledOut;
            state.LatestRolledOut = latest.Name;
        }

        return split;
    }
}
