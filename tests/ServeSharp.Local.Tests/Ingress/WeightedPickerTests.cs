using ServeSharp.Local.Ingress;

namespace ServeSharp.Local.Tests.Ingress;

public sealed class WeightedPickerTests
{
    [Fact]
    public void TenNinety_PicksCanaryExactlyOncePerHundred_Interleaved()
    {
        var picker = new WeightedPicker([90, 10]);
        var picks = Enumerable.Range(0, 1000).Select(_ => picker.Next()).ToList();

        Assert.Equal(100, picks.Count(p => p == 1));
        for (var window = 0; window < 1000; window += 100)
        {
            Assert.Equal(10, picks.Skip(window).Take(100).Count(p => p == 1));
        }

        // Smooth: the canary never gets two requests in a row.
        Assert.DoesNotContain(Enumerable.Range(1, 999), i => picks[i] == 1 && picks[i - 1] == 1);
    }

    [Fact]
    public void ZeroWeight_IsNeverPicked()
    {
        var picker = new WeightedPicker([0, 100, 0]);
        Assert.All(Enumerable.Range(0, 50).Select(_ => picker.Next()), p => Assert.Equal(1, p));
    }

    [Theory]
    [InlineData(new int[0])]
    [InlineData(new[] { 0, 0 })]
    [InlineData(new[] { -1, 101 })]
    public void InvalidWeights_AreRejected(int[] weights)
    {
        Assert.Throws<ArgumentException>(() => new WeightedPicker(weights));
    }
}
