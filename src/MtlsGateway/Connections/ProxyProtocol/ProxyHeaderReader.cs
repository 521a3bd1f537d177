using System.IO.Pipelines;
using Microsoft.AspNetCore.Connections;

namespace MtlsGateway.Connections.ProxyProtocol;

/// <summary>
/// Reads a PROXY protocol header from the start of a connection within a deadline and consumes exactly its bytes:
/// whoever reads the pipe next (the ClientHello peek, Kestrel's TLS or HTTP layer) starts at the client's first byte.
/// When the connection does not start with a header nothing is consumed.
/// </summary>
public static class ProxyHeaderReader
{
    public static async Task<ProxyHeaderReadResult> ReadAsync(PipeReader input, TimeSpan timeout, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(input);
        using var deadline = new CancellationTokenSource(timeout, time);
        long read = 0;
        try
        {
            while (true)
            {
                var result = await input.ReadAsync(deadline.Token);
                var buffer = result.Buffer;
                read = buffer.Length;
                var status = ProxyHeaderParser.TryParse(buffer, out var header, out var problem);
                switch (status)
                {
                    case ProxyHeaderStatus.Complete:
                        // Consumed = examined = the header's end: bytes the client sent right behind it (its
                        // ClientHello, often in the same segment) are handed to the next reader at once.
                        input.AdvanceTo(buffer.GetPosition(header!.Length));
                        return new(ProxyHeaderReadOutcome.Header, header, read, null);
                    case ProxyHeaderStatus.Absent:
                        // Nothing consumed nor examined (NOTES Q4: examined bytes would make the next read wait for more).
                        input.AdvanceTo(buffer.Start);
                        return new(ProxyHeaderReadOutcome.Absent, null, read, null);
                    case ProxyHeaderStatus.Invalid:
                        input.AdvanceTo(buffer.Start);
                        return new(ProxyHeaderReadOutcome.Invalid, null, read, problem);
                }

                if (result.IsCompleted)
                {
                    input.AdvanceTo(buffer.Start);
                    return read == 0
                        ? new(ProxyHeaderReadOutcome.Closed, null, 0, null)
                        : new(ProxyHeaderReadOutcome.Invalid, null, read, $"the connection closed after {read} bytes, before the header was complete");
                }

                // Examined everything, consumed nothing: wake up only when more bytes arrive.
                input.AdvanceTo(buffer.Start, buffer.End);
            }
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            return new(ProxyHeaderReadOutcome.TimedOut, null, read, null);
        }
        catch (Exception ex) when (ex is ConnectionResetException or IOException or ConnectionAbortedException)
        {
            return read == 0
                ? new(ProxyHeaderReadOutcome.Closed, null, 0, null)
                : new(ProxyHeaderReadOutcome.Invalid, null, read, $"the connection was reset after {read} bytes, before the header was complete");
        }
    }
}
