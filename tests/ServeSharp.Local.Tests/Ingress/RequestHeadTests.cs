using System.Text;
using ServeSharp.Local.Ingress.Handoff;
using ServeSharp.Server.Hosting.Handoff;

namespace ServeSharp.Local.Tests.Ingress;

public sealed class RequestHeadTests
{
    [Fact]
    public void PlainRequest_IsACandidate_WithHostAndPathWithoutQuery()
    {
        var result = Parse("POST /v1/models/iris:predict?x=1 HTTP/1.1\r\nhOsT:  iris.default.example.com:8080 \r\nContent-Length: 2\r\n\r\n{}", out var host, out var path);
        Assert.Equal(RequestHead.Result.Candidate, result);
        Assert.Equal("iris.default.example.com:8080", host);
        Assert.Equal("/v1/models/iris:predict", path);
    }

    [Theory]
    [InlineData("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")]
    [InlineData("GET / HTTP/1.0\r\nHost: a\r\n\r\n")]
    [InlineData("GET http://a/ HTTP/1.1\r\nHost: a\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nUpgrade: h2c\r\nConnection: Upgrade\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nbroken header\r\n\r\n")]
    [InlineData("GET /v2/m%00odels HTTP/1.1\r\nHost: a\r\n\r\n")] // an encoded NUL: PathString throws, Kestrel answers 400
    public void UnusualRequests_AreProxied(string head) => Assert.Equal(RequestHead.Result.Proxy, Parse(head, out _, out _));

    [Fact]
    public void RequestsSentBackByAReplica_AreProxied_NeverHandedOffAgain() =>
        Assert.Equal(RequestHead.Result.Proxy, Parse($"GET / HTTP/1.1\r\nHost: a\r\n{HandoffRequestMiddleware.ReturnHeader}: 1\r\n\r\n", out _, out _));

    [Fact]
    public void PartialHead_IsIncomplete_UntilTheLimit()
    {
        Assert.Equal(RequestHead.Result.Incomplete, Parse("GET / HTTP/1.1\r\nHost: a\r\n", out _, out _));
        Assert.Equal(RequestHead.Result.Proxy, Parse("GET / HTTP/1.1\r\nX: " + new string('a', RequestHead.MaxSize), out _, out _));
    }

    private static RequestHead.Result Parse(string head, out string host, out string path) =>
        RequestHead.Parse(Encoding.ASCII.GetBytes(head), out host, out path);
}
