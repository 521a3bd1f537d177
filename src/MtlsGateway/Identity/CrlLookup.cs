namespace MtlsGateway.Identity;

/// <summary>
/// The answer to "which CRL covers certificates of this issuer": the newest list whose signature verifies with the
/// issuer's key (null when none does), where it came from, and the lists that carry the issuer's name but were not
/// signed by that key (so a hint can say why they were not used).
/// </summary>
/// <param name="Crl">The deciding list, bound to the issuer (<see cref="RevocationList.Signer"/> is that issuer).</param>
/// <param name="Source">Where <paramref name="Crl"/> came from: the CrlFiles entry as configured (or, fetched, its URL).</param>
/// <param name="Rejected">Lists naming the issuer that did not verify with its key, each with the reason.</param>
public sealed record CrlLookup(RevocationList? Crl, string? Source, IReadOnlyList<CrlRejection> Rejected);
