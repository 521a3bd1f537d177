using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using MtlsGateway.Configuration;
using MtlsGateway.Loading;
using MtlsGateway.Tests.Support;

namespace MtlsGateway.Tests.Hardening;

/// <summary><c>Gateway:Limits</c> and <c>Gateway:Shutdown</c>: safe defaults reach Kestrel and the host, values set in
/// the file replace them, and every bad value is an error at its path.</summary>
[Trait("Category", "EndToEnd")]
public sealed class LimitsConfigTests
{
    [Fact]
    public async Task Defaults_NoLimitsSection_SafeValuesReachKestrelAndHost()
    {
        await using var host = await GatewayTestHost.StartAsync();

        var limits = host.Gateway.Services.GetRequiredService<IOptions<KestrelServerOptions>>().Value.Limits;
        limits.RequestHeadersTimeout.Should().Be(TimeSpan.FromSeconds(15));
        limits.KeepAliveTimeout.Should().Be(TimeSpan.FromSeconds(60));
        limits.MinRequestBodyDataRate!.BytesPerSecond.Should().Be(240);
        limits.MinResponseDataRate!.GracePeriod.Should().Be(TimeSpan.FromSeconds(5));
        limits.MaxRequestHeadersTotalSize.Should().Be(32 * 1024);
        limits.MaxRequestHeaderCount.Should().Be(100);
        limits.MaxRequestBodySize.Should().Be(30_000_000);
        limits.MaxConcurrentConnections.Should().BeNull("the connection limit is the gateway's own, per partner listener");
        host.Gateway.Services.GetRequiredService<IOptions<HostOptions>>().Value.ShutdownTimeout.Should().Be(TimeSpan.FromSeconds(25),
            "no pre-stop delay plus the 25 s drain");
    }

    [Fact]
    public async Task Configured_LimitsAndShutdown_ReplaceTheDefaults()
    {
        await using var host = await GatewayTestHost.StartAsync((config, _) =>
        {
            HardeningConfig.Limits(config, ("RequestHeadersTimeout", "00:00:05"), ("KeepAliveTimeout", "00:00:30"), ("MinRequestBodyDataRate", 0),
                ("MaxRequestHeaderCount", 50), ("MaxRequestBodySize", 1024), ("MaxConcurrentUpgradedConnections", 10));
            config["Gateway"]!["Shutdown"] = new JsonObject { ["PreStopDelay"] = "00:00:05", ["DrainTimeout"] = "00:00:20" };
        });

        var limits = host.Gateway.Services.GetRequiredService<IOptions<KestrelServerOptions>>().Value.Limits;
        limits.RequestHeadersTimeout.Should().Be(TimeSpan.FromSeconds(5));
        limits.KeepAliveTimeout.Should().Be(TimeSpan.FromSeconds(30));
        limits.MinRequestBodyDataRate.Should().BeNull("0 turns the check off");
        limits.MaxRequestHeaderCount.Should().Be(50);
        limits.MaxRequestBodySize.Should().Be(1024);
        limits.MaxConcurrentUpgradedConnections.Should().Be(10);
        host.Gateway.Services.GetRequiredService<IOptions<HostOptions>>().Value.ShutdownTimeout.Should().Be(TimeSpan.FromSeconds(25));
    }

    [Fact]
    public async Task RequestBody_OverMaxRequestBodySize_Is413()
    {
        await using var host = await GatewayTestHost.StartAsync((config, _) => HardeningConfig.Limits(config, ("MaxRequestBodySize", 1024)));
        using var client = host.CreateClient();

        using var response = await client.PostAsync(new Uri("/orders/1", UriKind.Relative), new ByteArrayContent(new byte[4096]));

        ((int)response.StatusCode).Should().Be(413);
    }

    [Theory]
    [InlineData("MaxConcurrentConnections", "0", "Gateway:Limits:MaxConcurrentConnections")]
    [InlineData("RequestHeadersTimeout", "\"00:00:00\"", "Gateway:Limits:RequestHeadersTimeout")]
    [InlineData("KeepAliveTimeout", "\"-00:00:01\"", "Gateway:Limits:KeepAliveTimeout")]
    [InlineData("MinRequestBodyDataRate", "-5", "Gateway:Limits:MinRequestBodyDataRate")]
    [InlineData("MinDataRateGracePeriod", "\"00:00:01\"", "Gateway:Limits:MinDataRateGracePeriod")]
    [InlineData("MaxRequestHeaderCount", "0", "Gateway:Limits:MaxRequestHeaderCount")]
    [InlineData("MaxRequestHeadersTotalSize", "100", "Gateway:Limits:MaxRequestHeadersTotalSize")]
    [InlineData("MaxRequestBodySize", "-1", "Gateway:Limits:MaxRequestBodySize")]
    [InlineData("BackendActivityTimeout", "\"00:00:00\"", "Gateway:Limits:BackendActivityTimeout")]
    public void Validate_BadLimit_ReportsItsPath(string key, string json, string path)
    {
        var errors = Load(config => HardeningConfig.Limits(config, (key, JsonNode.Parse(json)!)));

        errors.Should().ContainSingle(e => e.Path == path, string.Join("; ", errors));
    }

    [Fact]
    public void Validate_ReleaseTlsBuffersNotABoolean_NamesTheKey()
    {
        var errors = Load(config => HardeningConfig.Limits(config, ("ReleaseTlsBuffers", JsonNode.Parse("\"sometimes\"")!)));

        errors.Should().ContainSingle().Which.Should().Be(new ConfigError("Gateway:Limits:ReleaseTlsBuffers", "'sometimes' is not true or false"));
    }

    [Theory]
    [InlineData("PreStopDelay", "-00:00:01")]
    [InlineData("PreStopDelay", "00:10:00")]
    [InlineData("DrainTimeout", "00:00:00")]
    public void Validate_BadShutdown_ReportsItsPath(string key, string value)
    {
        var errors = Load(config => config["Gateway"]!["Shutdown"] = new JsonObject { [key] = value });

        errors.Should().ContainSingle(e => e.Path == "Gateway:Shutdown:" + key, string.Join("; ", errors));
    }

    private static IReadOnlyList<ConfigError> Load(Action<JsonObject> edit)
    {
        using var folder = new ConfigFolder((config, _) => edit(config));
        var configuration = GatewayConfigurationSource.TryBuild(folder.ConfigPath, null, out _)!;
        return GatewayConfigLoader.Load(configuration, folder.Path, 1, TimeProvider.System).Errors;
    }
}
