using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using MtlsGateway.Configuration;
using MtlsGateway.Connections;
using MtlsGateway.Diagnostics;
using MtlsGateway.Identity;
using MtlsGateway.Policies;

namespace MtlsGateway.Proxying;

/// <summary>
/// The request-level check, run on every request whatever the handshake did: Host against SNI, plaintext
/// against Strict, then the certificate against the route's policy.
/// </summary>
public sealed class RequestAdmission(CertificatePolicyEvaluator evaluator, TimeProvider time, RefusalReporter reporter, ILogger<RequestAdmission> logger)
{
    public RequestRefusal? Admit(HttpContext context, GatewayConnection connection, GatewayPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(policy);
        if (!connection.IsTls)
        {
            if (policy.Mode == PolicyMode.Strict)
            {
                return Refuse(RejectReason.PlaintextNotAllowed, StatusCodes.Status403Forbidden, policy,
                    $"policy '{policy.Name}' is Strict and the request came over plaintext listener '{connection.ListenerName}'; connect with https:// and a client certificate");
            }

            context.Features.Set(new ClientIdentityFeature(policy, null));
            return null;
        }

        var host = context.Request.Host.Host;
        if (connection.Sni is { } sni && !connection.SniMatches(host))
        {
            return Refuse(RejectReason.HostMismatch, StatusCodes.Status421MisdirectedRequest, policy,
                $"request Host '{host}' differs from the SNI '{sni}' of its connection; the client must open a connection per host name");
        }

        if (connection.Presented is not { } certificate)
        {
            if (policy.Mode == PolicyMode.Strict)
            {
                return Refuse(RejectReason.NoCertificate, StatusCodes.Status403Forbidden, policy,
                    $"policy '{policy.Name}' is Strict and the client sent no certificate; configure the client with its certificate and key");
            }

            context.Features.Set(new ClientIdentityFeature(policy, null));
            return null;
        }

        var verdict = Verdict(connection, policy, certificate);
        if (!verdict.Admitted && policy is { Mode: PolicyMode.Permissive, InvalidCertificate: InvalidCertificateHandling.Report })
        {
            Report(context, connection, policy, certificate, verdict);
            return null;
        }

        if (!verdict.Admitted)
        {
            return new RequestRefusal(verdict.Reason!.Value, StatusCodes.Status403Forbidden, verdict.Hint!, policy.Name, verdict.TrustStore ?? policy.TrustStoreNames, verdict.ChainStatus)
            {
                Partner = verdict.Partner?.Name,
            };
        }

        context.Features.Set(new ClientIdentityFeature(policy, certificate, verdict.Partner));
        return null;
    }

    private PolicyVerdict Verdict(GatewayConnection connection, GatewayPolicy policy, Identity.PresentedCertificate certificate)
    {
        var now = time.GetUtcNow();
        if (connection.Admission is { } memo && ReferenceEquals(memo.Policy, policy) && now < memo.ValidUntil)
        {
            return memo.Verdict;
        }

        var verdict = evaluator.Evaluate(policy, certificate, out var validUntil);
        connection.Admission = new AdmissionMemo(policy, verdict, validUntil);
        return verdict;
    }

    /// <summary>Admits as if no certificate had been sent, and says what Strict would have refused.</summary>
    private void Report(HttpContext context, GatewayConnection connection, GatewayPolicy policy, Identity.PresentedCertificate certificate, PolicyVerdict verdict)
    {
        context.Features.Set(new ClientIdentityFeature(policy, null, Failure: verdict));
        reporter.CertificateReported(logger, new RefusalDetails
        {
            Reason = verdict.Reason!.Value,
            Hint = verdict.Hint!,
            RemoteIp = context.Connection.RemoteIpAddress?.ToString(),
            RemotePort = context.Connection.RemotePort,
            Listener = connection.ListenerName,
            Sni = connection.Sni,
            Host = context.Request.Host.Value,
            Route = context.GetEndpoint()?.Metadata.GetMetadata<Yarp.ReverseProxy.Model.RouteModel>()?.Config.RouteId,
            Policy = policy.Name,
            TrustStore = verdict.Partner?.TrustStore.Name ?? policy.TrustStoreNames,
            Partner = verdict.Partner?.Name,
            TlsProtocol = connection.TlsProtocol,
            ChainStatus = verdict.ChainStatus,
            ConnectionId = context.Connection.Id,
            TraceId = context.TraceIdentifier,
        }.WithCertificate(certificate.Identity));
    }

    private static RequestRefusal Refuse(RejectReason reason, int status, GatewayPolicy policy, string hint) =>
        new(reason, status, hint, policy.Name, policy.TrustStoreNames, null) { Partner = policy.SolePartner?.Name };
}
