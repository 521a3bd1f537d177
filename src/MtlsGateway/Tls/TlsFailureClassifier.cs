using MtlsGateway.Diagnostics;
using MtlsGateway.Identity;

namespace MtlsGateway.Tls;

/// <summary>
/// Names a handshake failure that was not the gateway's own verdict: from what Kestrel's TLS layer reported
/// (<see cref="CapturedTlsFailure"/>) and what the connection saw. OpenSSL gives no typed codes through SslStream,
/// only text (NOTES Q1): an alert the client sent reads "... alert unknown ca", a failure on our side names itself
/// ("unsupported protocol", "no shared cipher"). Hints say what to change and where.
/// </summary>
internal static class TlsFailureClassifier
{
    private const string Accepted = "we accept TLS 1.2 and 1.3";

    public static (RejectReason Reason, string Hint) Classify(
        CapturedTlsFailure? failure, TlsHandshake handshake, string listener, TimeSpan handshakeTimeout, TimeSpan elapsed)
    {
        ArgumentNullException.ThrowIfNull(handshake);
        var connection = handshake.Connection;
        var sni = connection.Sni ?? "(none)";
        if (failure is { TimedOut: true } || (failure is null && elapsed >= handshakeTimeout))
        {
            return (RejectReason.HandshakeTimeout,
                $"the handshake did not finish within {handshakeTimeout.TotalSeconds:0.#} s (SNI '{sni}'); a stalled or very slow client — check its network path, or raise Gateway:Listeners:{listener}:HandshakeTimeout");
        }

        var text = failure?.InnermostMessage ?? failure?.Message ?? string.Empty;
        if (Alert(text) is { } alert)
        {
            return ClientAlert(alert, handshake.Plan, sni);
        }

        if (Has(text, "unsupported protocol") || Has(text, "wrong ssl version") || Has(text, "version too low"))
        {
            return (RejectReason.ProtocolMismatch,
                $"the client offers only TLS versions we do not accept ({Accepted}); upgrade the client or its TLS library, or enable TLS 1.2 on it");
        }

        if (Has(text, "no shared cipher") || Has(text, "no cipher"))
        {
            return (RejectReason.ProtocolMismatch,
                $"the client and the gateway share no cipher suite for SNI '{sni}'; enable a TLS 1.2 ECDHE-AES-GCM or any TLS 1.3 suite on the client");
        }

        if (Has(text, "application protocol"))
        {
            return (RejectReason.ProtocolMismatch,
                $"the client's ALPN list shares no protocol with ours (h2, http/1.1) for SNI '{sni}'; let the client offer h2 or http/1.1");
        }

        if (Has(text, "http request"))
        {
            // Normally caught by the listener's peek first; named the same way if OpenSSL is the one to see it.
            return (RejectReason.ProtocolMismatch,
                $"the client sent plain HTTP to TLS listener '{listener}'; use https:// (plaintext is served only on http:// listeners)");
        }

        if (Has(text, "corrupted frame") || Has(text, "frame size") || Has(text, "wrong version number")
            || Has(text, "packet length") || Has(text, "record"))
        {
            return (RejectReason.MalformedClientHello,
                $"the client's first TLS record could not be parsed ({Short(text)}); the client does not speak TLS on this port, or its hello is corrupt");
        }

        if (Has(text, "EOF") || Has(text, "0 bytes") || Has(text, "reset"))
        {
            return handshake.Plan is { } plan
                ? (RejectReason.UntrustedIssuer,
                    $"the client closed the connection during the handshake without a TLS alert, after receiving our server certificate {Describe(plan.Server)} for SNI '{sni}'; most often it does not trust that certificate — add {RootOf(plan.Server)} to the client's trust store — or it gave up")
                : (RejectReason.MalformedClientHello,
                    "the client closed the connection before its ClientHello was complete; a port scanner or a client that does not speak TLS");
        }

        if (!connection.HelloReceived)
        {
            return (RejectReason.MalformedClientHello,
                $"the ClientHello could not be parsed ({Short(text)}); the client is not a TLS client or its hello is corrupt");
        }

        return (RejectReason.ProtocolMismatch,
            $"the handshake for SNI '{sni}' failed on the client's side ({Short(text)}): either it does not trust our server certificate{(handshake.Plan is { } p ? " " + Describe(p.Server) : string.Empty)}, or it shares no TLS version, cipher or ALPN protocol with us ({Accepted}, h2 and http/1.1)");
    }

    private static (RejectReason, string) ClientAlert(string alert, TlsPlan? plan, string sni)
    {
        var server = plan?.Server;
        var ours = server is null ? "our server certificate" : $"our server certificate {Describe(server)}";
        switch (alert)
        {
            case "unknown ca":
            case "bad certificate":
            case "certificate unknown":
            case "unsupported certificate":
            case "access denied":
            case "decrypt error":
                return (RejectReason.UntrustedIssuer,
                    $"the client rejected {ours} for SNI '{sni}' (TLS alert '{alert}'): it does not trust it — add {(server is null ? "our CA" : RootOf(server))} to the client's trust store, or check that it expects the name '{sni}'");
            case "certificate expired":
                return (RejectReason.Expired,
                    $"the client says {ours} for SNI '{sni}' has expired (TLS alert '{alert}'): replace the server certificate file, or check the client's clock");
            case "certificate revoked":
                return (RejectReason.Revoked,
                    $"the client says {ours} for SNI '{sni}' is revoked (TLS alert '{alert}'): issue and serve a new server certificate");
            case "protocol version":
                return (RejectReason.ProtocolMismatch,
                    $"the client refused our TLS version for SNI '{sni}' (TLS alert '{alert}'; {Accepted}); enable TLS 1.2 or 1.3 on the client");
            case "no application protocol":
                return (RejectReason.ProtocolMismatch,
                    $"the client requires an ALPN protocol we do not offer for SNI '{sni}' (TLS alert '{alert}'; we offer h2 and http/1.1)");
            default:
                return (RejectReason.ProtocolMismatch,
                    $"the client aborted the handshake for SNI '{sni}' with TLS alert '{alert}': usually no shared TLS version or cipher suite ({Accepted}), or it does not trust {ours}");
        }
    }

    /// <summary>"error:0A000418:SSL routines::tlsv1 alert unknown ca" → "unknown ca" (an alert received from the peer).</summary>
    private static string? Alert(string text)
    {
        var at = text.IndexOf(" alert ", StringComparison.OrdinalIgnoreCase);
        return at < 0 ? null : text[(at + " alert ".Length)..].Trim().TrimEnd('.').ToLowerInvariant();
    }

    private static bool Has(string text, string part) => text.Contains(part, StringComparison.OrdinalIgnoreCase);

    private static string Short(string text) => text.Length == 0 ? "no detail" : text.Length > 160 ? text[..160] : text;

    private static string Describe(ServerCertificate server) =>
        $"'{CertificateFacts.Name(server.Certificate)}' (issuer '{DistinguishedNames.Format(server.Certificate.IssuerName)}')";

    /// <summary>The CA the client needs: the issuer of the topmost certificate we send.</summary>
    private static string RootOf(ServerCertificate server)
    {
        var top = server.Chain.Count > 0 ? server.Chain[^1] : server.Certificate;
        return $"the CA '{DistinguishedNames.Format(top.IssuerName)}'";
    }
}
