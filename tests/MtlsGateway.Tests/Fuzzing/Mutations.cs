using FsCheck;
using FsCheck.Fluent;

namespace MtlsGateway.Tests.Fuzzing;

/// <summary>Byte-level mutations of a valid sample, as a coverage-guided fuzzer would try them: flips, overwrites
/// with boundary values, truncation, duplication, insertion and deletion of runs.</summary>
internal static class Mutations
{
    private static readonly byte[] Interesting = [0x00, 0x01, 0x03, 0x16, 0x7F, 0x80, 0xFE, 0xFF];

    public static Gen<byte[]> Of(byte[] sample)
    {
        ArgumentNullException.ThrowIfNull(sample);
        var one = Gen.OneOf(
            Gen.Choose(0, sample.Length - 1).Zip(Gen.Choose(0, 7)).Select(p => (Func<byte[], byte[]>)(b => Flip(b, p.Item1, p.Item2))),
            Gen.Choose(0, sample.Length - 1).Zip(Gen.Elements(Interesting)).Select(p => (Func<byte[], byte[]>)(b => Set(b, p.Item1, p.Item2))),
            Gen.Choose(0, sample.Length).Select(n => (Func<byte[], byte[]>)(b => b[..Math.Min(n, b.Length)])),
            Gen.Choose(0, sample.Length).Zip(Gen.Choose(1, 64)).Select(p => (Func<byte[], byte[]>)(b => Delete(b, p.Item1, p.Item2))),
            Gen.Choose(0, sample.Length).Zip(FuzzRuns.Bytes(256)).Select(p => (Func<byte[], byte[]>)(b => Insert(b, p.Item1, p.Item2))),
            Gen.Constant((Func<byte[], byte[]>)(b => [.. b, .. b])));
        return Gen.ListOf(one).Select(steps => steps.Take(6).Aggregate((byte[])sample.Clone(), (bytes, step) => step(bytes)));
    }

    private static byte[] Flip(byte[] bytes, int at, int bit)
    {
        if (bytes.Length > 0)
        {
            bytes[at % bytes.Length] ^= (byte)(1 << bit);
        }

        return bytes;
    }

    private static byte[] Set(byte[] bytes, int at, byte value)
    {
        if (bytes.Length > 0)
        {
            bytes[at % bytes.Length] = value;
        }

        return bytes;
    }

    private static byte[] Delete(byte[] bytes, int at, int count)
    {
        var start = Math.Min(at, bytes.Length);
        return [.. bytes[..start], .. bytes[Math.Min(bytes.Length, start + count)..]];
    }

    private static byte[] Insert(byte[] bytes, int at, byte[] run)
    {
        var start = Math.Min(at, bytes.Length);
        return [.. bytes[..start], .. run, .. bytes[start..]];
    }
}
