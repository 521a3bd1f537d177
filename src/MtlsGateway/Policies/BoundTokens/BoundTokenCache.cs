using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace MtlsGateway.Policies.BoundTokens;

/// <summary>
/// Tokens a policy admitted, keyed by the SHA-256 of the token and the client certificate's SHA-256, each until its
/// <c>exp</c> (+ ClockSkew): a partner sends the same token on every request until it expires, and the signature check
/// is the costly part. Only admissions are kept (a refusal is the client's to fix, and costs that client only). Holds
/// hashes, never a token. Bounded: past <see cref="Capacity"/> entries it starts over. One per policy object, so a
/// reload (a new JWKS, issuer or audience) starts empty.
/// </summary>
internal sealed class BoundTokenCache
{
    public const int Capacity = 10_000;

    private readonly ConcurrentDictionary<Key, DateTimeOffset> _admitted = new();

    // Kestrel hands the repeated Authorization value of a keep-alive connection back as the same string (its header
    // string reuse is on by default): the key of a value already seen is found by reference, without hashing the
    // token again on every request. Entries go with the strings, i.e. with the connections.
    private readonly ConditionalWeakTable<string, KeyOfHeader> _keysByHeader = new();

    public int Count => _admitted.Count;

    private static Key KeyOf(ReadOnlySpan<char> token, string certificateSha256)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(MemoryMarshal.AsBytes(token), hash);
        var words = MemoryMarshal.Cast<byte, ulong>(hash);
        return new Key(words[0], words[1], words[2], words[3], certificateSha256);
    }

    /// <summary>The key of <paramref name="token"/> (read from the header value <paramref name="header"/>) with this certificate.</summary>
    public Key KeyFor(string header, ReadOnlySpan<char> token, string certificateSha256)
    {
        if (_keysByHeader.TryGetValue(header, out var known) && string.Equals(known.Key.CertificateSha256, certificateSha256, StringComparison.Ordinal))
        {
            return known.Key;
        }

        var key = KeyOf(token, certificateSha256);
        _keysByHeader.AddOrUpdate(header, new KeyOfHeader(key));
        return key;
    }

    public bool IsAdmitted(in Key key, DateTimeOffset now) =>
        _admitted.TryGetValue(key, out var until) && now <= until;

    public void Admit(in Key key, DateTimeOffset until)
    {
        if (_admitted.Count >= Capacity)
        {
            _admitted.Clear();
        }

        _admitted[key] = until;
    }

    internal readonly record struct Key(ulong A, ulong B, ulong C, ulong D, string CertificateSha256);

    private sealed record KeyOfHeader(Key Key);
}
