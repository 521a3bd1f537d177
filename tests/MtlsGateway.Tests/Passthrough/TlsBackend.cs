using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MtlsGateway.Pki;
using MtlsGateway.Tests.Support;

namespace MtlsGateway.Tests.Passthrough;

/// <summary>
/// A partner's own TLS server behind a passthrough entry: real Kestrel on loopback with a certificate for
/// <see cref="HostName"/> from its own CA (not the gateway's), optionally requiring a client certificate from that
/// CA. Each decrypted connection runs <c>handler</c>, which sees the client certificate the backend validated.
/// </summary>
internal sealed class TlsBackend : IAsyncDisposable
{
    public const string HostName = "legacy.partner.test";

    private readonly WebApplication _app;
    private readonly IssuedCertificate _root;
    private readonly IssuedCertificate _server;

    private TlsBackend(WebApplication app, IssuedCertificate root, IssuedCertificate server)
    {
        _app = app;
        _root = root;
        _server = server;
    }

    public int Port => new Uri(LoopbackApp.Address(_app)).Port;

    /// <summary>The backend's CA (public part): what a passthrough client must trust.</summary>
    public X509Certificate2 Root => _root.PublicOnly();

    /// <summary>The certificate the backend serves (public part).</summary>
    public X509Certificate2 ServerCertificate => _server.PublicOnly();

    /// <summary>A client certificate issued by the backend's CA, for the mTLS case.</summary>
    public X509Certificate2 IssueClientCertificate(string subject)
    {
        var now = DateTimeOffset.UtcNow;
        var issued = CertificateAuthority.Issue(_root, new CertificateSpec { Subject = subject, NotBefore = now.AddHours(-1), NotAfter = now.AddDays(1) });
        return issued.Certificate;
    }

    public static async Task<TlsBackend> StartAsync(Func<ConnectionContext, X509Certificate2?, Task> handler, bool requireClientCertificate = false)
    {
        var now = DateTimeOffset.UtcNow;
        var root = CertificateAuthority.CreateSelfSigned(new CertificateSpec
        {
            Subject = "CN=Legacy Partner Root", NotBefore = now.AddHours(-1), NotAfter = now.AddDays(2), IsCertificateAuthority = true,
            ExtendedKeyUsages = null,
        });
        var server = CertificateAuthority.Issue(root, new CertificateSpec
        {
            Subject = "CN=" + HostName, NotBefore = now.AddHours(-1), NotAfter = now.AddDays(1), DnsNames = [HostName, "x.legacy.test"],
            ExtendedKeyUsages = [Oids.ServerAuth],
        });
        var rootPublic = root.PublicOnly();

        var builder = LoopbackApp.CreateBuilder(url: null);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen =>
        {
            listen.UseHttps(new HttpsConnectionAdapterOptions
            {
                ServerCertificate = server.Certificate,
                ClientCertificateMode = requireClientCertificate ? ClientCertificateMode.RequireCertificate : ClientCertificateMode.NoCertificate,
                ClientCertificateValidation = (certificate, _, _) => ChainsTo(certificate, rootPublic),
            });
            listen.Run(connection => handler(connection, connection.Features.Get<ITlsConnectionFeature>()?.ClientCertificate));
        }));
        var app = builder.Build();
        await app.StartAsync();
        return new TlsBackend(app, root, server);
    }

    public static bool ChainsTo(X509Certificate2 certificate, X509Certificate2 root)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(root);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(certificate);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _server.Dispose();
        _root.Dispose();
    }
}
