using MtlsGateway.Configuration;

namespace MtlsGateway.RateLimiting;

/// <summary>One token bucket: the limit's name and settings (a reload that changes them starts new buckets; one that
/// does not keeps them) and the partition's value (a certificate's SHA-256, a partner, a policy or an address).</summary>
/// <remarks>A class with its hash computed once: every request looks its bucket up by it, and a struct key would be
/// boxed and re-hashed (the 64-character SHA-256 included) on each lookup.</remarks>
public sealed class RateLimitKey : IEquatable<RateLimitKey>
{
    /// <summary>The value of the bucket shared by the identities that arrive once a limit holds its MaxPartitions.</summary>
    public const string Overflow = "*overflow";

    private readonly int _hash;

    public RateLimitKey(string limit, double permitsPerSecond, int burst, RateLimitPartitionBy partitionBy, string value)
    {
        Limit = limit;
        PermitsPerSecond = permitsPerSecond;
        Burst = burst;
        PartitionBy = partitionBy;
        Value = value;
        _hash = HashCode.Combine(StringComparer.Ordinal.GetHashCode(limit), permitsPerSecond, burst, partitionBy, StringComparer.Ordinal.GetHashCode(value));
    }

    public string Limit { get; }

    public double PermitsPerSecond { get; }

    public int Burst { get; }

    public RateLimitPartitionBy PartitionBy { get; }

    public string Value { get; }

    /// <summary>The same limit's bucket shared by identities beyond MaxPartitions.</summary>
    public RateLimitKey AsOverflow() => new(Limit, PermitsPerSecond, Burst, PartitionBy, Overflow);

    public bool Equals(RateLimitKey? other) =>
        ReferenceEquals(this, other) || (other is not null && _hash == other._hash && PermitsPerSecond.Equals(other.PermitsPerSecond)
            && Burst == other.Burst && PartitionBy == other.PartitionBy && string.Equals(Limit, other.Limit, StringComparison.Ordinal)
            && string.Equals(Value, other.Value, StringComparison.Ordinal));

    public override bool Equals(object? obj) => Equals(obj as RateLimitKey);

    public override int GetHashCode() => _hash;
}
