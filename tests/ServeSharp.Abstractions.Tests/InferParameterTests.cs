using ServeSharp.Abstractions;

namespace ServeSharp.Abstractions.Tests;

public class InferParameterTests
{
    [Fact]
    public void Accessors_WrongKind_Throw()
    {
        var p = InferParameter.FromString("pd");
        Assert.Equal("pd", p.StringValue);
        Assert.Throws<InvalidOperationException>(() => p.BoolValue);
    }

    [Fact]
    public void TryGetInt64_AcceptsWholeDoubles()
    {
        Assert.True(InferParameter.FromDouble(16).TryGetInt64(out var v));
        Assert.Equal(16, v);
        Assert.False(InferParameter.FromDouble(1.5).TryGetInt64(out _));
    }

    [Fact]
    public void Parameters_GetBool_ReadsStrings()
    {
        var ps = new InferParameters { ["a"] = InferParameter.FromString("True"), ["b"] = InferParameter.FromBool(false) };
        Assert.True(ps.GetBool("a"));
        Assert.False(ps.GetBool("b"));
        Assert.Null(ps.GetBool("c"));
    }

    [Fact]
    public void ModelNotReady_Message_MatchesKServe()
    {
        Assert.Equal("Model with name m is not ready.", InferenceException.ModelNotReady("m").Message);
        Assert.Equal("Model with name m does not exist.", InferenceException.ModelNotFound("m").Message);
    }
}
