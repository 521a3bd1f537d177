namespace MtlsGateway.Configuration;

/// <summary>A policy's RFC 8705 certificate-bound access tokens: who issues them, for whom, and the keys they are signed with.</summary>
public sealed class BoundTokenOptions
{
    /// <summary>The exact <c>iss</c> the tokens carry, e.g. <c>https://idp.partner.test</c>.</summary>
    public string? Issuer { get; set; }

    /// <summary>The <c>aud</c> the tokens must include, e.g. <c>orders-api</c>.</summary>
    public string? Audience { get; set; }

    /// <summary>A JWKS file (the IdP's public signing keys), relative to the config file's folder or absolute.</summary>
    public string? SigningKeysFile { get; set; }
}
