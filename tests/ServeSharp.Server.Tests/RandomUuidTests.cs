using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using ServeSharp.Server;

namespace ServeSharp.Server.Tests;

public sealed partial class RandomUuidTests
{
    [Fact]
    public void NewString_IsAVersion4UuidInGuidDFormat()
    {
        // More than one buffer's worth (256 ids), so the refill is exercised too.
        for (var i = 0; i < 600; i++)
        {
            var text = RandomUuid.NewString();
            Assert.Matches(UuidV4(), text);
            Assert.Equal(text, Guid.Parse(text).ToString());
            Assert.Equal(4, Guid.Parse(text).Version);
        }
    }

    [Fact]
    public void NewString_NeverRepeats_AcrossThreads()
    {
        var seen = new ConcurrentDictionary<string, bool>();
        Parallel.For(0, 8, _ =>
        {
            for (var i = 0; i < 1000; i++)
            {
                Assert.True(seen.TryAdd(RandomUuid.NewString(), true));
            }
        });
        Assert.Equal(8000, seen.Count);
    }

    [Fact]
    public void NewString_UsesEveryHexDigitPosition()
    {
        // A fixed or zeroed part of the buffer would leave some position constant over many ids.
        var first = RandomUuid.NewString();
        var varies = new bool[first.Length];
        for (var i = 0; i < 600; i++)
        {
            var next = RandomUuid.NewString();
            for (var c = 0; c < next.Length; c++)
            {
                varies[c] |= next[c] != first[c];
            }
        }

        // Constant by design: the four dashes and the version digit '4'.
        var constant = Enumerable.Range(0, first.Length).Where(c => !varies[c]).ToArray();
        Assert.Equal([8, 13, 14, 18, 23], constant);
    }

    [GeneratedRegex("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")]
    private static partial Regex UuidV4();
}
