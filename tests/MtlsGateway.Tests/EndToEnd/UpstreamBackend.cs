using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MtlsGateway.Pki;
using MtlsGateway.Tests.Support;

namespace MtlsGateway.Tests.EndToEnd;

/// <summary>
/// A real HTTPS backend on loopback: Kestrel with its own server certificate and, when given a client CA, requiring
/// a client certificate that chains to it (with the intermediates the client itself sends). It answers with the
/// SHA-256 of the client certificate it saw.
/// </summary>
internal sealed class UpstreamBackend : IAsyncDisposable
{
    private readonly WebApplication _app;

    private UpstreamBackend(WebApplication app, int port)
    {
        _app = app;
        Port = port;
    }

    public int Port { get; }

    /// <param name="serverIssuer">The intermediate the backend sends with its certificate; null sends the leaf alone.</param>
    public static async Task<UpstreamBackend> StartAsync(IssuedCertificate server, X509Certificate2? serverIssuer, X509Certificate2? clientRoot)
    {
        // Offline, so that a leaf sent alone never makes the backend itself fetch its issuer.
        var context = SslStreamCertificateContext.Create(server.Certificate, serverIssuer is null ? null : [serverIssuer], offline: true);
        var builder = LoopbackApp.CreateBuilder(url: null);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(new TlsHandshakeCallbackOptions
        {
            OnConnection = _ => ValueTask.FromResult(new SslServerAuthenticationOptions
            {
                ServerCertificateContext = context,
                ClientCertificateRequired = clientRoot is not null,
                RemoteCertificateValidationCallback = clientRoot is null ? null : (_, certificate, chain, _) =>
                    certificate is X509Certificate2 presented && ChainsTo(presented, chain, clientRoot),
            }),
        })));
        var app = builder.Build();
        app.Run(context => context.Response.WriteAsync(
            context.Connection.ClientCertificate?.GetCertHashString(HashAlgorithmName.SHA256) ?? "no client certificate"));
        await app.StartAsync();
        var address = LoopbackApp.Address(app);
        return new UpstreamBackend(app, new Uri(address).Port);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private static bool ChainsTo(X509Certificate2 certificate, X509Chain? presented, X509Certificate2 root)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(root);
        chain.ChainPolicy.ExtraStore.AddRange(presented?.ChainPolicy.ExtraStore ?? []);
        chain.ChainPolicy.ApplicationPolicy.Add(new Oid(Oids.ClientAuth));
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(certificate);
    }
}
