namespace MtlsGateway.Diagnostics;

/// <summary>One request to an OCSP responder, for the <c>mtls_gateway_ocsp_requests_total</c> counter.</summary>
/// <param name="Result"><c>good</c>, <c>revoked</c>, <c>unknown</c> (believed answers), <c>failed</c> (unreachable, HTTP
/// error, timeout) or <c>refused</c> (an answer the gateway does not believe, a responder error status, too large).</param>
public sealed record OcspRequestReport(string TrustStore, string Issuer, string Url, string Result);
