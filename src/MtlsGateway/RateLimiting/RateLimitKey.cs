using MtlsGateway.Configuration;

namespace MtlsGateway.RateLimiting;

/// <summary>One token bucket: the limit's name and settings (a reload that changes them starts new buckets; one that
/// does not keeps them) and the partition's value (a certificate's SHA-256, a partner, a policy or an address).</summary>
public readonly record struct RateLimitKey(string Limit, double PermitsPerSecond, int Burst, RateLimitPartitionBy PartitionBy, string Value)
{
    /// <summary>The value of the bucket shared by the identities that arrive once a limit holds its MaxPartitions.</summary>
    public const string Overflow = "*overflow";
}
