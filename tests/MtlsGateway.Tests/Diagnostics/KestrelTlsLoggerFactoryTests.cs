using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MtlsGateway.Diagnostics;
using MtlsGateway.Tests.Support;
using Serilog;
using Serilog.Extensions.Logging;

namespace MtlsGateway.Tests.Diagnostics;

/// <summary>Kestrel's TLS category reaches Serilog only with what the failure capture takes or a sink may show: the
/// per-handshake <c>HttpsConnectionEstablished</c> Debug event stops before Serilog builds an event for it.</summary>
[Trait("Category", "EndToEnd")]
public sealed class KestrelTlsLoggerFactoryTests
{
    [Fact]
    public void KestrelTlsCategory_PassesFailuresAndWarnings_DropsOtherDebugEvents()
    {
        using var sink = new LogSink();
        using var factory = new KestrelTlsLoggerFactory(new SerilogLoggerFactory(
            new LoggerConfiguration().MinimumLevel.Verbose().WriteTo.Sink(sink).CreateLogger(), dispose: true));
        var kestrelTls = factory.CreateLogger(KestrelTlsFailureCapture.Category);

        kestrelTls.Log(LogLevel.Debug, new EventId(3, "HttpsConnectionEstablished"), "established");
        kestrelTls.Log(LogLevel.Information, new EventId(4, "Http2DefaultCiphersInsufficient"), "ciphers");
        kestrelTls.Log(LogLevel.Debug, new EventId(1, "AuthenticationFailed"), "failed");
        kestrelTls.Log(LogLevel.Debug, new EventId(2, "AuthenticationTimedOut"), "timed out");
        kestrelTls.Log(LogLevel.Warning, new EventId(9, "Other"), "warning");
        factory.CreateLogger("Other.Category").Log(LogLevel.Debug, new EventId(3, "Unrelated"), "unrelated");

        sink.Events.Select(e => e.RenderMessage()).Should().Equal("failed", "timed out", "warning", "unrelated");
        kestrelTls.IsEnabled(LogLevel.Debug).Should().BeTrue("the capture still needs the failures at Debug");
    }

    [Fact]
    public async Task Gateway_LogsThroughTheTrimmedFactory()
    {
        await using var host = await GatewayTestHost.StartAsync();

        host.Gateway.Services.GetRequiredService<ILoggerFactory>().Should().BeOfType<KestrelTlsLoggerFactory>();
    }
}
