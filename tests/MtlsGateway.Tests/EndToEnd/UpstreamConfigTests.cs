using System.Text.Json.Nodes;
using MtlsGateway.Cli;
using MtlsGateway.Tests.Support;

namespace MtlsGateway.Tests.EndToEnd;

/// <summary><c>Gateway:Upstreams</c> is validated with the rest: cluster, trust store, certificate and key files.</summary>
[Trait("Category", "Unit")]
public sealed class UpstreamConfigTests
{
    public static TheoryData<string, Action<JsonObject>, string, string> BadUpstreams => new()
    {
        { "unknown cluster", c => c["Gateway"]!["Upstreams"] = Upstream("nope", "pki/client.crt", "pki/client.key", "partners"),
            "Gateway:Upstreams:nope", "'nope' is not a cluster in ReverseProxy:Clusters; known: echo" },
        { "unknown trust store", c => c["Gateway"]!["Upstreams"] = Upstream("echo", "pki/client.crt", "pki/client.key", "backends"),
            "Gateway:Upstreams:echo:TrustStore", "'backends' is not a trust store; known: partners" },
        { "missing key file", c => c["Gateway"]!["Upstreams"] = Upstream("echo", "pki/client.crt", "pki/nope.key", "partners"),
            "Gateway:Upstreams:echo:ClientCertificate:KeyFile", "file 'pki/nope.key' does not exist" },
        { "key of another certificate", c => c["Gateway"]!["Upstreams"] = Upstream("echo", "pki/client.crt", "pki/server.key", "partners"),
            "Gateway:Upstreams:echo:ClientCertificate:KeyFile", "does not belong to the certificate" },
        { "certificate without clientAuth", c => c["Gateway"]!["Upstreams"] = Upstream("echo", "pki/server.crt", "pki/server.key", "partners"),
            "Gateway:Upstreams:echo:ClientCertificate:CertificateFile", "has no clientAuth extended key usage" },
    };

    [Theory]
    [MemberData(nameof(BadUpstreams))]
    public void Load_BadUpstream_ReportsPathAndFix(string because, Action<JsonObject> edit, string path, string message)
    {
        using var folder = new ConfigFolder((config, _) =>
        {
            config["ReverseProxy"]!["Clusters"]!["echo"]!["Destinations"]!["a"]!["Address"] = "https://localhost:5999/";
            edit(config);
        });

        var result = ValidateCommand.Load(folder.ConfigPath, TimeProvider.System);

        result.ShouldReport(path, message, because);
    }

    [Fact]
    public void Load_UpstreamTlsForPlainHttpCluster_IsAnError()
    {
        using var folder = new ConfigFolder((config, _) => config["Gateway"]!["Upstreams"] = Upstream("echo", "pki/client.crt", "pki/client.key", "partners"));

        var result = ValidateCommand.Load(folder.ConfigPath, TimeProvider.System);

        result.Errors.Should().Contain(e => e.Path == "Gateway:Upstreams:echo" && e.Message.Contains("plain HTTP, so no TLS settings apply"));
    }

    [Fact]
    public void Load_GoodUpstream_IsCompiledIntoTheSnapshot()
    {
        using var folder = new ConfigFolder((config, _) =>
        {
            config["ReverseProxy"]!["Clusters"]!["echo"]!["Destinations"]!["a"]!["Address"] = "https://localhost:5999/";
            config["Gateway"]!["Upstreams"] = Upstream("echo", "pki/client.crt", "pki/client.key", "partners");
        });

        var result = ValidateCommand.Load(folder.ConfigPath, TimeProvider.System);

        result.Errors.Should().BeEmpty();
        var upstream = result.Snapshot!.Upstreams["ECHO"];
        upstream.ClientCertificate!.TargetCertificate.Subject.Should().Contain("acme-orders-client");
        upstream.ClientCertificate.IntermediateCertificates.Should().ContainSingle("the file's intermediate is sent with the leaf");
        upstream.TrustStore!.Name.Should().Be("partners");
    }

    private static JsonObject Upstream(string cluster, string certificate, string key, string store) => new()
    {
        [cluster] = new JsonObject
        {
            ["ClientCertificate"] = new JsonObject { ["CertificateFile"] = certificate, ["KeyFile"] = key },
            ["TrustStore"] = store,
        },
    };
}
