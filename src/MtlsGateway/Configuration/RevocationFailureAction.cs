namespace MtlsGateway.Configuration;

/// <summary>What to do when revocation status cannot be established.</summary>
public enum RevocationFailureAction
{
    Deny,
    Allow,
}
