using System.Net;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Yarp.ReverseProxy.Configuration;

// plain-yarp --port P --cert server.crt --key server.key --ca ca.pem --backend http://127.0.0.1:B/ [--host localhost]
// Kestrel terminates TLS on 127.0.0.1:P and requires a client certificate that chains to the CA bundle's root
// (CertificateChainPolicy, CustomRootTrust, clientAuth EKU, no revocation check); YARP forwards every request for
// the host to the backend with its default transforms. No policy, no identity headers, no request log.
var settings = args.Chunk(2).Where(pair => pair.Length == 2).ToDictionary(pair => pair[0].TrimStart('-'), pair => pair[1], StringComparer.Ordinal);
string Setting(string name) => settings.TryGetValue(name, out var value) ? value : throw new ArgumentException($"--{name} is required");

var serverCertificate = X509Certificate2.CreateFromPemFile(Setting("cert"), Setting("key"));
var authorities = new X509Certificate2Collection();
authorities.ImportFromPemFile(Setting("ca"));
var chainPolicy = new X509ChainPolicy
{
    TrustMode = X509ChainTrustMode.CustomRootTrust,
    RevocationMode = X509RevocationMode.NoCheck,
    DisableCertificateDownloads = true,
};
chainPolicy.ApplicationPolicy.Add(new System.Security.Cryptography.Oid("1.3.6.1.5.5.7.3.2"));
foreach (var authority in authorities)
{
    (authority.SubjectName.RawData.AsSpan().SequenceEqual(authority.IssuerName.RawData) ? chainPolicy.CustomTrustStore : chainPolicy.ExtraStore).Add(authority);
}

// Built once and shared by every connection, as the gateway does.
var tls = new SslServerAuthenticationOptions
{
    ServerCertificateContext = SslStreamCertificateContext.Create(serverCertificate, additionalCertificates: null, offline: true),
    ClientCertificateRequired = true,
    CertificateChainPolicy = chainPolicy,
    RemoteCertificateValidationCallback = (_, certificate, _, errors) => certificate is not null && errors == SslPolicyErrors.None,
    EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
    ApplicationProtocols = [SslApplicationProtocol.Http2, SslApplicationProtocol.Http11],
};

var builder = WebApplication.CreateSlimBuilder();
builder.Logging.ClearProviders();
builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, int.Parse(Setting("port"), System.Globalization.CultureInfo.InvariantCulture), listen =>
{
    listen.Protocols = HttpProtocols.Http1AndHttp2;
    listen.UseHttps(new TlsHandshakeCallbackOptions { OnConnection = _ => ValueTask.FromResult(tls) });
}));
builder.Services.AddReverseProxy().LoadFromMemory(
    [new RouteConfig { RouteId = "bench", ClusterId = "backend", Match = new RouteMatch { Hosts = [settings.GetValueOrDefault("host", "localhost")], Path = "/{**rest}" } }],
    [new ClusterConfig { ClusterId = "backend", Destinations = new Dictionary<string, DestinationConfig>(StringComparer.Ordinal) { ["b"] = new() { Address = Setting("backend") } } }]);

var app = builder.Build();
app.MapReverseProxy();
await app.RunAsync();
