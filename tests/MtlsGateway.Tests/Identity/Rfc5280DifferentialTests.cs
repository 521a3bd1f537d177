using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;
using MtlsGateway.Identity;
using MtlsGateway.Tests.Support;

namespace MtlsGateway.Tests.Identity;

/// <summary>
/// Every chain of <see cref="Rfc5280Corpus"/> through the gateway's verifier and through
/// <c>openssl verify -x509_strict -purpose sslclient</c>, compared with the table in docs/security.md, "RFC 5280 path
/// validation", where every difference is explained: a new verdict on either side, or a new disagreement, fails the build.
/// </summary>
[Trait("Category", "EndToEnd")]
public sealed partial class Rfc5280DifferentialTests : IDisposable
{
    private const string Section = "## RFC 5280 path validation";

    private readonly TestPki _pki = new();
    private readonly CertificateVerifier _verifier = new();

    public void Dispose() => _pki.Dispose();

    [Fact]
    public async Task Corpus_GatewayAndOpensslStrict_AgreeExceptWhereDocumented()
    {
        var store = _pki.Store(customize: o => o.CaFiles = [_pki.WritePem("root.pem", _pki.Root)]);
        var observed = new List<string>();
        foreach (var name in Rfc5280Corpus.Names)
        {
            var chain = Rfc5280Corpus.Build(name, _pki);
            observed.Add($"| `{name}` | {Gateway(chain, store)} | {await Openssl(name, chain)} |");
        }

        var documented = DocumentedVerdict.Read(Section).Select(r => $"| `{r.Case}` | {r.Gateway} | {r.Peer} |");

        observed.Should().BeEquivalentTo(documented, "docs/security.md must list every verdict as observed; observed:\n{0}", string.Join('\n', observed));
    }

    [Fact]
    public void DocumentedTable_EveryDisagreement_IsExplained()
    {
        var table = DocumentedVerdict.Read(Section);

        table.Select(r => r.Case).Should().BeEquivalentTo(Rfc5280Corpus.Names);
        table.Where(r => r.Gateway.StartsWith("admitted", StringComparison.Ordinal) != r.Peer.StartsWith("admitted", StringComparison.Ordinal))
            .Should().OnlyContain(r => r.Why.Length > 20, "each difference needs its reason in the last column");
    }

    private string Gateway(Rfc5280Corpus.Chain chain, TrustStore store)
    {
        using var leaf = chain.Leaf.PublicOnly();
        var sent = new X509Certificate2Collection(chain.Sent.Select(c => c.PublicOnly()).ToArray());
        try
        {
            var result = _verifier.Verify(leaf, sent, store, _pki.Now);
            return result.IsValid ? "admitted" : $"refused `{result.Reason}`";
        }
        catch (System.Security.Cryptography.CryptographicException e)
        {
            return $"throws {e.Message}"; // never right: a handshake would fail without a Reason
        }
        finally
        {
            foreach (var certificate in sent)
            {
                certificate.Dispose();
            }
        }
    }

    private async Task<string> Openssl(string name, Rfc5280Corpus.Chain chain)
    {
        var root = Path.Combine(_pki.Directory, "root.pem");
        var untrusted = _pki.WritePem($"{name}/untrusted.pem", chain.Sent);
        var leaf = _pki.WritePem($"{name}/leaf.pem", chain.Leaf);
        var result = await ProcessRunner.RunAsync(
            "openssl", ["verify", "-x509_strict", "-purpose", "sslclient", "-CAfile", root, "-untrusted", untrusted, leaf], TimeSpan.FromSeconds(30));
        if (result.ExitCode == 0)
        {
            return "admitted";
        }

        var error = OpensslError().Match(result.Output);
        return error.Success ? $"refused: {error.Groups[1].Value.Trim()}" : $"refused ({result.Output.Trim().ReplaceLineEndings(" ")})";
    }

    [GeneratedRegex(@"error \d+ at \d+ depth lookup: (.*)")]
    private static partial Regex OpensslError();
}
