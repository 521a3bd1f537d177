using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using MtlsGateway.Pki;
using MtlsGateway.Tests.Deploy;

namespace MtlsGateway.Tests.Support;

/// <summary>
/// A real OCSP responder: <c>openssl ocsp -index … -port N</c> on loopback, answering for the certificates of one CA
/// from an index.txt the test writes (good and revoked entries; any other serial is "unknown"), signed by the CA itself
/// or by the responder certificate the test chooses. openssl needs a fixed port: a free one is picked, and another
/// tried if openssl could not bind it.
/// </summary>
internal sealed class OpensslOcspResponder : IAsyncDisposable
{
    private readonly BackgroundProcess _process;

    private OpensslOcspResponder(BackgroundProcess process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    public string Url => $"http://127.0.0.1:{Port}/";

    /// <param name="folder">Where index.txt and the PEM files are written.</param>
    /// <param name="ca">The CA whose certificates are answered for.</param>
    /// <param name="signer">Who signs the answers (default: the CA).</param>
    /// <param name="good">Certificates listed as valid.</param>
    /// <param name="revoked">Certificates listed as revoked (keyCompromise, an hour ago).</param>
    /// <param name="validMinutes">nextUpdate after thisUpdate (<c>-nmin</c>); null leaves nextUpdate out.</param>
    public static async Task<OpensslOcspResponder> StartAsync(string folder, IssuedCertificate ca, IssuedCertificate? signer = null,
        IEnumerable<IssuedCertificate>? good = null, IEnumerable<IssuedCertificate>? revoked = null, int? validMinutes = 60)
    {
        Directory.CreateDirectory(folder);
        var index = Path.Combine(folder, "index.txt");
        var lines = (good ?? []).Select(c => Line(c, null)).Concat((revoked ?? []).Select(c => Line(c, DateTimeOffset.UtcNow.AddHours(-1))));
        await File.WriteAllTextAsync(index, string.Concat(lines));
        var caPem = Path.Combine(folder, "ca.pem");
        await File.WriteAllTextAsync(caPem, ca.CertificatePem);
        signer ??= ca;
        var signerPem = Path.Combine(folder, "signer.pem");
        var signerKey = Path.Combine(folder, "signer.key");
        await File.WriteAllTextAsync(signerPem, signer.CertificatePem);
        await File.WriteAllTextAsync(signerKey, signer.KeyPem);

        for (var attempt = 0; ; attempt++)
        {
            var port = RepositoryPaths.FreePort();
            List<string> arguments = ["ocsp", "-index", index, "-CA", caPem, "-rsigner", signerPem, "-rkey", signerKey, "-port", port.ToString(CultureInfo.InvariantCulture)];
            if (validMinutes is { } minutes)
            {
                arguments.AddRange(["-nmin", minutes.ToString(CultureInfo.InvariantCulture)]);
            }

            var process = BackgroundProcess.Start("openssl ocsp", "openssl", arguments);
            try
            {
                await process.WaitForLineAsync(l => l.Contains("waiting for OCSP client connections", StringComparison.Ordinal), TimeSpan.FromSeconds(20), "its ready line");
                return new OpensslOcspResponder(process, port);
            }
            catch (TimeoutException) when (attempt < 3 && process.HasExited)
            {
                await process.DisposeAsync(); // the port was taken meanwhile: try another
            }
        }
    }

    public ValueTask DisposeAsync() => _process.DisposeAsync();

    /// <summary>An index.txt line: status, expiry, revocation time[,reason], serial, file name, subject.</summary>
    private static string Line(IssuedCertificate certificate, DateTimeOffset? revokedAt)
    {
        var expiry = certificate.Certificate.NotAfter.ToUniversalTime().ToString("yyMMddHHmmss'Z'", CultureInfo.InvariantCulture);
        var revocation = revokedAt is { } at ? at.UtcDateTime.ToString("yyMMddHHmmss'Z'", CultureInfo.InvariantCulture) + ",keyCompromise" : string.Empty;
        var serial = Convert.ToHexString(certificate.Certificate.SerialNumberBytes.Span);
        return $"{(revokedAt is null ? 'V' : 'R')}\t{expiry}\t{revocation}\t{serial}\tunknown\t/CN={certificate.Certificate.GetNameInfo(X509NameType.SimpleName, forIssuer: false)}\n";
    }
}
