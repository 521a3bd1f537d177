using System.Net;
using System.Net.Security;
using System.Security.Authentication;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Transforms;

// plain-yarp --port P --cert server.crt --key server.key --ca ca.pem --backend http://127.0.0.1:B/ [--host localhost]
//            [--identity-headers true] [--answer true] [--raw-forward true] [--inline-scheduling true]
// Kestrel terminates TLS on 127.0.0.1:P and requires a client certificate that chains to the CA bundle's root
// (CertificateChainPolicy, CustomRootTrust, clientAuth EKU, no revocation check); YARP forwards every request for
// the host to the backend with its default transforms. No policy, no identity headers, no request log.
// --identity-headers adds the ten headers the gateway sends by default (XFCC + the parts), read from the client
// certificate once per connection: what setting them costs on .NET, without any of the gateway's logic.
// --answer true: Kestrel answers "ok\n" itself instead of forwarding (the `kestrel` target): the same TLS listener
// with no forwarding leg, so the difference to plain YARP is what forwarding costs.
// --raw-forward true: forwards through RawForwarder (plain pooled sockets, no YARP, no HttpClient) instead: the
// `rawfwd` target, which splits that difference into the second socket's share and YARP + SocketsHttpHandler's.
// --inline-scheduling true: Kestrel's UnsafePreferInlineScheduling (request processing on the socket's event thread).
// Thread-pool spinning is off unless the environment sets it, as in the gateway (Hosting/ThreadPoolSpinning.cs).
if (Environment.GetEnvironmentVariable("DOTNET_ThreadPool_UnfairSemaphoreSpinLimit") is null)
{
    AppContext.SetData("System.Threading.ThreadPool.UnfairSemaphoreSpinLimit", 0);
}

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

// No watch on the content root (ASP.NET Core's default reload of appsettings.json): bench/ runs every peer in its work
// directory, where nginx writes its access log, and a recursive watcher there woke this process on every line.
var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = ["--hostBuilder:reloadConfigOnChange=false"] });
builder.Logging.ClearProviders();
if (settings.GetValueOrDefault("inline-scheduling") == "true")
{
    builder.WebHost.UseSockets(sockets => sockets.UnsafePreferInlineScheduling = true);
}

builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, int.Parse(Setting("port"), System.Globalization.CultureInfo.InvariantCulture), listen =>
{
    listen.Protocols = HttpProtocols.Http1AndHttp2;
    listen.UseHttps(new TlsHandshakeCallbackOptions { OnConnection = _ => ValueTask.FromResult(tls) });
}));
var proxy = builder.Services.AddReverseProxy();
if (settings.GetValueOrDefault("identity-headers") == "true")
{
    var perConnection = new ConditionalWeakTable<X509Certificate2, KeyValuePair<string, string>[]>();
    proxy.AddTransforms(transforms => transforms.AddRequestTransform(context =>
    {
        if (context.HttpContext.Connection.ClientCertificate is { } certificate)
        {
            foreach (var (name, value) in perConnection.GetValue(certificate, IdentityHeaders))
            {
                context.ProxyRequest.Headers.TryAddWithoutValidation(name, value);
            }
        }

        return ValueTask.CompletedTask;
    }));
}

proxy.LoadFromMemory(
    [new RouteConfig { RouteId = "bench", ClusterId = "backend", Match = new RouteMatch { Hosts = [settings.GetValueOrDefault("host", "localhost")], Path = "/{**rest}" } }],
    [new ClusterConfig { ClusterId = "backend", Destinations = new Dictionary<string, DestinationConfig>(StringComparer.Ordinal) { ["b"] = new() { Address = Setting("backend") } } }]);

var app = builder.Build();
if (settings.GetValueOrDefault("answer") == "true")
{
    var ok = "ok\n"u8.ToArray();
    app.Run(context =>
    {
        context.Response.ContentType = "text/plain";
        context.Response.ContentLength = ok.Length;
        return context.Response.Body.WriteAsync(ok).AsTask();
    });
}
else if (settings.GetValueOrDefault("raw-forward") == "true")
{
    var backend = new Uri(Setting("backend"));
    var forwarder = new PlainYarp.RawForwarder(new IPEndPoint(IPAddress.Parse(backend.Host), backend.Port));
    app.Run(forwarder.ForwardAsync);
}
else
{
    app.MapReverseProxy();
}

await app.RunAsync();

static KeyValuePair<string, string>[] IdentityHeaders(X509Certificate2 certificate)
{
    var sha256 = Convert.ToHexStringLower(certificate.GetCertHash(HashAlgorithmName.SHA256));
    var dns = certificate.GetNameInfo(X509NameType.DnsName, forIssuer: false);
    var uri = certificate.GetNameInfo(X509NameType.UrlName, forIssuer: false);
    return
    [
        new("X-Client-Cert-Policy", "bench"),
        new("X-Client-Cert-Verified", "SUCCESS"),
        new("X-Forwarded-Client-Cert", $"Hash={sha256};Subject=\"{certificate.Subject}\";URI={uri};DNS={dns}"),
        new("X-Client-Cert-Subject", certificate.Subject),
        new("X-Client-Cert-Issuer", certificate.Issuer),
        new("X-Client-Cert-Serial", certificate.SerialNumber),
        new("X-Client-Cert-Sha256", sha256),
        new("X-Client-Cert-Not-After", certificate.NotAfter.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture)),
        new("X-Client-Cert-Dns", dns),
        new("X-Client-Cert-Uri", uri),
    ];
}
