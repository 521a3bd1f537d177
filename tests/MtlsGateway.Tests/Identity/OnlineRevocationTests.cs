using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MtlsGateway.Configuration;
using MtlsGateway.Diagnostics;
using MtlsGateway.Identity;
using MtlsGateway.Pki;
using MtlsGateway.Tests.Support;

namespace MtlsGateway.Tests.Identity;

/// <summary><c>Revocation: Online</c>: the platform fetches the CRLs named in the certificates' distribution points,
/// here from a real HTTP server on loopback.</summary>
public sealed class OnlineRevocationTests : IAsyncLifetime
{
    private readonly ConcurrentDictionary<string, byte[]> _published = new();
    private WebApplication _crlServer = null!;
    private string _baseUrl = null!;

    public async Task InitializeAsync()
    {
        var builder = LoopbackApp.CreateBuilder();
        _crlServer = builder.Build();
        _crlServer.Run(context =>
        {
            if (!_published.TryGetValue(context.Request.Path.Value!, out var crl))
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return Task.CompletedTask;
            }

            context.Response.ContentType = "application/pkix-crl";
            return context.Response.Body.WriteAsync(crl).AsTask();
        });
        await _crlServer.StartAsync();
        // A unique path per test run: the platform caches fetched CRLs by URL.
        _baseUrl = LoopbackApp.Address(_crlServer) + "/" + Guid.NewGuid().ToString("N");
    }

    public async Task DisposeAsync()
    {
        await _crlServer.StopAsync();
        await _crlServer.DisposeAsync();
    }

    [Fact]
    public void Online_RevokedLeaf_IsRevoked_GoodLeafIsValid()
    {
        using var pki = new TestPki();
        var (store, intermediate) = OnlineStore(pki, $"{_baseUrl}/root.crl");
        var good = pki.IssueClient("good", s => s with { CrlDistributionPoints = [$"{_baseUrl}/issuing.crl"] }, intermediate);
        var revoked = pki.IssueClient("revoked", s => s with { CrlDistributionPoints = [$"{_baseUrl}/issuing.crl"] }, intermediate);
        _published["/" + new Uri(_baseUrl).AbsolutePath.Trim('/') + "/issuing.crl"] = pki.CreateCrl(intermediate, [revoked]);
        var verifier = new CertificateVerifier();

        var goodResult = verifier.Verify(good.PublicOnly(), null, store, pki.Now);
        var revokedResult = verifier.Verify(revoked.PublicOnly(), null, store, pki.Now);

        goodResult.IsValid.Should().BeTrue(goodResult.Hint);
        revokedResult.Reason.Should().Be(RejectReason.Revoked);
    }

    [Fact]
    public void Online_DistributionPointUnreachable_IsRevocationUnknown()
    {
        using var pki = new TestPki();
        var (store, intermediate) = OnlineStore(pki, $"{_baseUrl}/root.crl");
        var dead = $"http://127.0.0.1:{RepositoryPaths.FreePort()}/issuing.crl";
        var leaf = pki.IssueClient("unreachable", s => s with { CrlDistributionPoints = [dead] }, intermediate);

        var result = new CertificateVerifier().Verify(leaf.PublicOnly(), null, store, pki.Now);

        result.Reason.Should().Be(RejectReason.RevocationUnknown);
        result.Hint.Should().NotBeNullOrWhiteSpace();
    }

    private (TrustStore Store, IssuedCertificate Intermediate) OnlineStore(TestPki pki, string rootCrlUrl)
    {
        var intermediate = pki.IssueCa("CN=Online Issuing CA, O=Test", pki.Root, s => s with { CrlDistributionPoints = [rootCrlUrl] });
        _published["/" + new Uri(rootCrlUrl).AbsolutePath.Trim('/')] = pki.CreateCrl(pki.Root);
        var store = new TrustStore("online", [pki.Root.PublicOnly()], [intermediate.PublicOnly()], [], [],
            RevocationCheck.Online, RevocationFailureAction.Deny, TimeSpan.FromMinutes(1));
        return (store, intermediate);
    }
}
