using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ServeSharp.Local.Ingress;

/// <summary>
/// The logger factory the ingress host uses: the platform's, minus per-request noise on the hot path. ASP.NET Core
/// starts an Activity and a logging scope for every request whenever <c>Microsoft.AspNetCore.Hosting.Diagnostics</c>
/// is enabled at any level (muted here), and YARP logs every proxied request at Information (only its warnings and
/// errors pass). Together they cost the ingress about half its throughput on a 2-core machine.
/// </summary>
internal sealed class IngressLoggerFactory(ILoggerFactory inner) : ILoggerFactory
{
    public ILogger CreateLogger(string categoryName) =>
        categoryName.StartsWith("Microsoft.AspNetCore.Hosting.Diagnostics", StringComparison.Ordinal) ? NullLogger.Instance
        : categoryName.StartsWith("Yarp.", StringComparison.Ordinal) ? new WarningsOnly(inner.CreateLogger(categoryName))
        : inner.CreateLogger(categoryName);

    public void AddProvider(ILoggerProvider provider) => inner.AddProvider(provider);

    public void Dispose()
    {
        // The platform owns the inner factory.
    }

    private sealed class WarningsOnly(ILogger inner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => inner.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning && inner.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                inner.Log(logLevel, eventId, state, exception, formatter);
            }
        }
    }
}
