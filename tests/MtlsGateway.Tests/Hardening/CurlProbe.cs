using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using MtlsGateway.Identity;
using MtlsGateway.Tests.Support;

namespace MtlsGateway.Tests.Hardening;

/// <summary>
/// One HTTPS request with curl and a client certificate, the way a partner's script would send it. curl's own
/// OpenSSL security level is lowered to 0 (through OPENSSL_CONF: <c>--ciphers @SECLEVEL=0</c> comes too late, after
/// the certificate is loaded): it would otherwise refuse to even present an RSA-1024 or SHA-1 certificate, and these
/// tests are about what the SERVER does with one.
/// </summary>
internal static class CurlProbe
{
    /// <summary>What came back: the HTTP status (0 when the connection failed before any response) and the body.</summary>
    internal sealed record Response(int Status, string Body, int ExitCode, string Error)
    {
        public bool Admitted => Status == 200;
    }

    private const string LegacyClientConfig = """
        openssl_conf = openssl_init
        [openssl_init]
        ssl_conf = ssl_configuration
        [ssl_configuration]
        system_default = client_defaults
        [client_defaults]
        CipherString = DEFAULT:@SECLEVEL=0

        """;

    public static async Task<Response> GetAsync(int port, string host, string path, string pkiFolder, string client, string caFile)
    {
        var config = Path.Combine(pkiFolder, "curl-openssl.cnf");
        if (!File.Exists(config))
        {
            await File.WriteAllTextAsync(config, LegacyClientConfig);
        }

        var arguments = new List<string>
        {
            "OPENSSL_CONF=" + config,
            "curl",
            "--silent", "--show-error", "--http1.1", "--max-time", "20",
            "--resolve", $"{host}:{port}:127.0.0.1",
            "--cacert", caFile,
            "--cert", Path.Combine(pkiFolder, client + ".crt"),
            "--key", Path.Combine(pkiFolder, client + ".key"),
            "--write-out", "\n%{http_code}",
            $"https://{host}:{port}{path}",
        };
        var result = await ProcessRunner.RunAsync("env", arguments, TimeSpan.FromSeconds(30));
        var output = result.StandardOutput;
        var cut = output.LastIndexOf('\n');
        var status = int.Parse(output[(cut + 1)..].Trim(), CultureInfo.InvariantCulture);
        return new Response(status, cut < 0 ? string.Empty : output[..cut], result.ExitCode, result.StandardError.Trim());
    }

    /// <summary>The SHA-256 the gateway logs (CertSha256) for the leaf in <c>client.crt</c>.</summary>
    public static string LeafSha256(string pkiFolder, string client)
    {
        using var leaf = X509Certificate2.CreateFromPem(File.ReadAllText(Path.Combine(pkiFolder, client + ".crt")));
        return Fingerprints.Sha256(leaf);
    }
}
