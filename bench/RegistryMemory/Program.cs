using System.Globalization;
using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using MtlsGateway.Connections;
using MtlsGateway.Diagnostics;
using MtlsGateway.Identity;
using MtlsGateway.Loading;
using MtlsGateway.Ops;
using MtlsGateway.Pki;
using MtlsGateway.Runtime;

// registry-memory [PARTNERS]: loads a one-policy configuration, admits PARTNERS distinct client certificates (each on
// its own connection, from its own address) into the partner registry with MaxPartners = PARTNERS, and prints one line
// of JSON: the managed heap the registry holds (records, their index, each connection's sighting) per record.
// The certificates and connections exist before the first measurement, so only what the registry adds is counted.
var partners = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1000;
var directory = Directory.CreateTempSubdirectory("registry-memory-").FullName;
try
{
    var now = DateTimeOffset.UtcNow;
    using (var ca = CertificateAuthority.CreateSelfSigned(new CertificateSpec
    {
        Subject = "CN=Registry Memory CA",
        NotBefore = now.AddDays(-1),
        NotAfter = now.AddYears(1),
        IsCertificateAuthority = true,
        ExtendedKeyUsages = null,
    }))
    {
        File.WriteAllText(Path.Combine(directory, "ca.pem"), ca.Certificate.ExportCertificatePem());
    }

    var configPath = Path.Combine(directory, "gateway.json");
    File.WriteAllText(configPath, $$"""
        { "Gateway": {
            "Listeners": { "public": { "Url": "http://127.0.0.1:0" } },
            "Admin": { "Url": "" },
            "TrustStores": { "partners": { "CaFiles": [ "ca.pem" ], "Revocation": "None" } },
            "Policies": { "orders": { "Mode": "Strict", "TrustStore": "partners" } },
            "DefaultPolicy": "orders",
            "Diagnostics": { "MaxPartners": {{partners}} } },
          "ReverseProxy": { "Routes": {}, "Clusters": {} } }
        """);
    var configuration = new ConfigurationBuilder().AddJsonFile(configPath).Build();
    var loaded = GatewayConfigLoader.Load(configuration, directory, 1, TimeProvider.System);
    var snapshot = loaded.Snapshot ?? throw new InvalidOperationException(string.Join("; ", loaded.Errors));
    var state = new GatewayState();
    state.Apply(snapshot);
    using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    var metrics = new GatewayMetrics(services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>());
    using var registry = new PartnerRegistry(state, TimeProvider.System, metrics, NullLogger<PartnerRegistry>.Instance);
    var policy = snapshot.DefaultPolicy;

    // Shaped like a partner's: subject with O, a DNS SAN and a SPIFFE ID.
    var presented = new List<(GatewayConnection Connection, PresentedCertificate Certificate, string RemoteIp)>(partners);
    for (var i = 0; i < partners; i++)
    {
        using var issued = CertificateAuthority.CreateSelfSigned(new CertificateSpec
        {
            Subject = $"CN=partner-{i:D4}-client, O=Partner {i:D4}, C=US",
            NotBefore = now.AddDays(-1),
            NotAfter = now.AddDays(365),
            DnsNames = [$"api.partner-{i:D4}.test"],
            Uris = [$"spiffe://partner-{i:D4}.test/orders/client"],
        });
        presented.Add((new GatewayConnection("public", isTls: true, snapshot), PresentedCertificate.Copy(issued.Certificate, null),
            new IPAddress([10, (byte)(i >> 16), (byte)(i >> 8), (byte)i]).ToString()));
    }

    var before = Heap();
    foreach (var (connection, certificate, remoteIp) in presented)
    {
        registry.Admitted(connection, policy, policy.Name, certificate, remoteIp);
    }

    var after = Heap();
    GC.KeepAlive(presented);
    Console.WriteLine(JsonSerializer.Serialize(new
    {
        partners,
        held = registry.Count,
        heapBytes = after - before,
        bytesPerRecord = (after - before) / Math.Max(1, registry.Count),
    }));
    return 0;
}
finally
{
    Directory.Delete(directory, recursive: true);
}

static long Heap()
{
    for (var i = 0; i < 3; i++)
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
    }

    return GC.GetTotalMemory(forceFullCollection: true);
}
