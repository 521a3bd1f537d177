using System.Diagnostics.CodeAnalysis;

namespace MtlsGateway.Identity;

/// <summary>
/// The revoked serials of one CRL, found in O(1) without a string or an array per entry: a slot records where an
/// entry and its serial lie in the CRL's DER, and is hashed and compared by the serial's bytes (sign padding
/// stripped). A million entries cost about 20 MB besides the DER itself (docs/performance.md).
/// </summary>
internal sealed class CrlEntryIndex
{
    private readonly byte[] _der;
    private readonly HashSet<Slot> _slots;
    private readonly HashSet<Slot>.AlternateLookup<ReadOnlySpan<byte>> _bySerial;

    public CrlEntryIndex(byte[] der, int capacity)
    {
        _der = der;
        _slots = new HashSet<Slot>(capacity, new SlotComparer(der));
        _bySerial = _slots.GetAlternateLookup<ReadOnlySpan<byte>>();
    }

    public int Count => _slots.Count;

    /// <summary>Records the entry starting at <paramref name="entry"/>; a serial listed twice keeps its first entry.</summary>
    public void Add(int entry, int serial, int length)
    {
        var trimmed = Trim(_der.AsSpan(serial, length));
        _slots.Add(new Slot(entry, serial + length - trimmed.Length, trimmed.Length));
    }

    /// <summary>The DER offset of the entry listing <paramref name="serial"/> (big-endian, leading zeros allowed).</summary>
    public bool TryFind(ReadOnlySpan<byte> serial, out int entry)
    {
        if (_bySerial.TryGetValue(Trim(serial), out var slot))
        {
            entry = slot.Entry;
            return true;
        }

        entry = -1;
        return false;
    }

    /// <summary>Each listed serial, in the CRL's order.</summary>
    public IEnumerable<ReadOnlyMemory<byte>> Serials() => _slots.Select(s => new ReadOnlyMemory<byte>(_der, s.Serial, s.Length));

    // The INTEGER's sign padding: 00 80 01 and 80 01 are one serial, as Fingerprints.Serial spells them.
    private static ReadOnlySpan<byte> Trim(ReadOnlySpan<byte> serial)
    {
        var start = 0;
        while (start < serial.Length - 1 && serial[start] == 0)
        {
            start++;
        }

        return serial[start..];
    }

    private readonly record struct Slot(int Entry, int Serial, int Length);

    private sealed class SlotComparer(byte[] der) : IEqualityComparer<Slot>, IAlternateEqualityComparer<ReadOnlySpan<byte>, Slot>
    {
        public bool Equals(Slot x, Slot y) => Bytes(x).SequenceEqual(Bytes(y));

        public int GetHashCode([DisallowNull] Slot obj) => Hash(Bytes(obj));

        public bool Equals(ReadOnlySpan<byte> alternate, Slot other) => alternate.SequenceEqual(Bytes(other));

        public int GetHashCode(ReadOnlySpan<byte> alternate) => Hash(alternate);

        // Slots are only ever added from the DER; a lookup never creates one.
        public Slot Create(ReadOnlySpan<byte> alternate) => throw new NotSupportedException("CRL entries are added from the CRL's DER only");

        private static int Hash(ReadOnlySpan<byte> serial)
        {
            var hash = default(HashCode);
            hash.AddBytes(serial);
            return hash.ToHashCode();
        }

        private ReadOnlySpan<byte> Bytes(Slot slot) => der.AsSpan(slot.Serial, slot.Length);
    }
}
