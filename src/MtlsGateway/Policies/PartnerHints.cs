using System.Security.Cryptography.X509Certificates;
using System.Text;
using MtlsGateway.Identity;

namespace MtlsGateway.Policies;

/// <summary>
/// Hints for a certificate no partner of a policy with several admitted: what the partner that got furthest said,
/// what the other partners tried said, and which partners' allowlists list the certificate (an identity allowed for
/// acme but verified by globex's store is the impostor case: both are named).
/// </summary>
internal static class PartnerHints
{
    public static string Refused(GatewayPolicy policy, CertificateIdentity identity, PartnerRefusal chosen, List<PartnerRefusal> all)
    {
        var text = new StringBuilder(chosen.Stage switch
        {
            PartnerRefusalStage.Verified => $"verified by partner {chosen.Partner.Name}'s trust store '{chosen.Partner.TrustStore.Name}', but {chosen.Hint}",
            PartnerRefusalStage.Anchored => $"partner {chosen.Partner.Name}'s trust store '{chosen.Partner.TrustStore.Name}' refused it: {chosen.Hint}",
            _ => $"partner {chosen.Partner.Name}'s trust store '{chosen.Partner.TrustStore.Name}' does not verify it: {chosen.Hint}",
        });
        foreach (var other in all)
        {
            if (!ReferenceEquals(other, chosen))
            {
                text.Append($"; partner {other.Partner.Name}'s trust store '{other.Partner.TrustStore.Name}': {other.Reason}");
            }
        }

        AppendAllowedFor(text, policy, identity, chosen.Partner, all);
        if (chosen.Stage == PartnerRefusalStage.Verified && !policy.Partners.Any(p => p.Allow.Admits(identity)))
        {
            text.Append($"; no partner of policy '{policy.Name}' allows it");
        }

        return text.ToString();
    }

    public static string NoPartnerHolds(GatewayPolicy policy, CertificateIdentity identity, X509Certificate2? selfSigned)
    {
        var stores = string.Join(", ", policy.Partners.Select(p => $"{p.Name}: '{p.TrustStore.Name}'"));
        var text = new StringBuilder(selfSigned is null
            ? $"issuer {identity.Issuer} is in the trust store of no partner of policy '{policy.Name}' ({stores}); if the client is one of them, "
              + "add its issuing CA (or the root above it) to that partner's trust store CaFiles, or have the client send its issuing CA"
            : $"the chain ends at self-signed {CertificateFacts.Name(selfSigned)}, which the trust store of no partner of policy '{policy.Name}' holds ({stores}); "
              + "add it to the CaFiles of the trust store of the partner it belongs to");
        AppendAllowedFor(text, policy, identity, except: null, tried: null);
        return text.ToString();
    }

    /// <summary>"; CN acme-orders is allowed only for partner acme, whose trust store 'acme' holds none of the certificate's issuers".</summary>
    private static void AppendAllowedFor(StringBuilder text, GatewayPolicy policy, CertificateIdentity identity, PolicyPartner? except, List<PartnerRefusal>? tried)
    {
        var allowing = policy.Partners.Where(p => !ReferenceEquals(p, except) && p.Allow.Admits(identity)).ToList();
        if (allowing.Count == 0)
        {
            return;
        }

        var match = allowing[0].Allow.DescribeMatch(identity);
        var why = allowing.Select(p => tried?.FirstOrDefault(r => ReferenceEquals(r.Partner, p)) is { } refusal
            ? $"partner {p.Name}, whose trust store '{p.TrustStore.Name}' refused it ({refusal.Reason})"
            : $"partner {p.Name}, whose trust store '{p.TrustStore.Name}' holds none of the certificate's issuers");
        text.Append($"; {match} is allowed only for {string.Join(" and for ", why)}");
    }
}
