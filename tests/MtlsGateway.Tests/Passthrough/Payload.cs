using System.Security.Cryptography;

namespace MtlsGateway.Tests.Passthrough;

/// <summary>Deterministic bulk data: a 1 MiB random block (from a seed) repeated, so both ends know its SHA-256.</summary>
internal static class Payload
{
    public const int BlockSize = 1024 * 1024;

    public static byte[] Block(int seed)
    {
        var block = new byte[BlockSize];
        new Random(seed).NextBytes(block);
        return block;
    }

    public static byte[] Sha256(int seed, int mebibytes)
    {
        var block = Block(seed);
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        for (var i = 0; i < mebibytes; i++)
        {
            sha.AppendData(block);
        }

        return sha.GetHashAndReset();
    }

    public static async Task WriteAsync(Stream stream, int seed, int mebibytes, CancellationToken token)
    {
        var block = Block(seed);
        for (var i = 0; i < mebibytes; i++)
        {
            await stream.WriteAsync(block, token);
        }
    }

    /// <summary>Reads exactly <paramref name="count"/> bytes and returns their SHA-256.</summary>
    public static async Task<byte[]> ReadAndHashAsync(Stream stream, long count, CancellationToken token)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[64 * 1024];
        while (count > 0)
        {
            var read = await stream.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, count)), token);
            if (read == 0)
            {
                throw new EndOfStreamException($"{count} bytes short");
            }

            sha.AppendData(buffer, 0, read);
            count -= read;
        }

        return sha.GetHashAndReset();
    }
}
