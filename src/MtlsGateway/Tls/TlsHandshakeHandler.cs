using System.Net.Security;
using System.Runtime.CompilerServices;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using MtlsGateway.Diagnostics;
using MtlsGateway.Identity;
using MtlsGateway.Policies;
using MtlsGateway.Runtime;

namespace MtlsGateway.Tls;

/// <summary>
/// Kestrel's per-connection TLS hook: picks the plan for the connection's SNI (the one the listener middleware
/// peeked) and, for hosts whose routes are all Strict, refuses in the handshake a client certificate that the
/// policies would refuse. The verdict is recorded on the connection's <see cref="TlsHandshake"/> so that the refusal
/// can be logged with its reason.
/// </summary>
public sealed class TlsHandshakeHandler(CertificatePolicyEvaluator evaluator, PresentedCertificateCache presentedCertificates)
{
    // SslStream hands the validation callback only itself: this finds the handshake it belongs to.
    private readonly ConditionalWeakTable<SslStream, TlsHandshake> _handshakes = [];
    private readonly ConditionalWeakTable<GatewaySnapshot, TlsPlanSelector> _selectors = [];

    public TlsPlanSelector SelectorFor(GatewaySnapshot snapshot) =>
        _selectors.GetValue(snapshot, s => new TlsPlanSelector(s, Validate));

    public ValueTask<SslServerAuthenticationOptions> OnConnectionAsync(TlsHandshakeCallbackContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var handshake = context.Connection.Features.Get<TlsHandshake>()
            ?? throw new InvalidOperationException("The connection did not pass the gateway's handshake outcome middleware.");
        var connection = handshake.Connection;
        connection.HelloReceived = true;
        // The peeked hello's SNI, not context.ClientHelloInfo.ServerName: .NET parses only the hello's first record,
        // so a hello split over records (RFC 8446 §5.1) would get the no-SNI plan and no Host≠SNI check.
        var sni = connection.Hello is null
            ? throw new InvalidOperationException("The listener middleware did not peek the ClientHello.")
            : connection.Sni;
        var plan = SelectorFor(connection.Snapshot).Select(sni);
        if (plan is null)
        {
            handshake.Refusal = new HandshakeRefusal(
                RejectReason.UnknownHost,
                $"no server certificate serves SNI '{sni}' and none is the default; add the name to Gateway:ServerCertificates Hosts, or set Default on one",
                null, null, null);
            throw new AuthenticationException($"No server certificate for SNI '{sni}'.");
        }

        handshake.Plan = plan;
        _handshakes.AddOrUpdate(context.SslStream, handshake);
        return ValueTask.FromResult(plan.Options);
    }

    private bool Validate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (sender is not SslStream stream || !_handshakes.TryGetValue(stream, out var handshake) || handshake.Plan is not { } plan)
        {
            return false;
        }

        var connection = handshake.Connection;

        if (certificate is null)
        {
            if (!plan.RequiresCertificate)
            {
                return true;
            }

            var names = string.Join(", ", plan.HandshakePolicies.Select(p => p.Name));
            handshake.Refusal = new HandshakeRefusal(
                RejectReason.NoCertificate,
                $"the client sent no certificate, and every route of host '{connection.Sni ?? "(no SNI)"}' requires one (policy {names}); configure the client with its certificate and key",
                names, string.Join(", ", plan.HandshakePolicies.SelectMany(p => p.TrustStores).Select(s => s.Name).Distinct()), null)
            {
                Partner = plan.HandshakePolicies.Count == 1 ? plan.HandshakePolicies[0].SolePartner?.Name : null,
            };
            return false;
        }

        // Copies, shared by connections presenting the same bytes: SslStream disposes its own when the connection ends.
        var presented = presentedCertificates.Get(certificate, chain?.ChainPolicy.ExtraStore);
        connection.Presented = presented;
        if (!plan.RequiresCertificate)
        {
            return true; // mixed host: each request is checked against its route's policy
        }

        PolicyVerdict? refusal = null;
        GatewayPolicy? refusingPolicy = null;
        foreach (var policy in plan.HandshakePolicies)
        {
            var verdict = evaluator.Evaluate(policy, presented);
            if (verdict.Admitted)
            {
                return true;
            }

            refusal ??= verdict;
            refusingPolicy ??= policy;
        }

        handshake.Refusal = new HandshakeRefusal(
            refusal!.Reason!.Value, refusal.Hint!, refusingPolicy!.Name, refusal.TrustStore ?? refusingPolicy.TrustStoreNames, refusal.ChainStatus)
        {
            Partner = refusal.Partner?.Name,
        };
        return false;
    }
}
