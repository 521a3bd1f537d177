namespace MtlsGateway.Diagnostics;

/// <summary>One completed fetch, for the <c>mtls_gateway_crl_fetches_total</c> counter.</summary>
/// <param name="Result"><c>ok</c>, <c>failed</c> or <c>refused</c>.</param>
public sealed record CrlFetchReport(string TrustStore, string Issuer, string Url, string Result);
