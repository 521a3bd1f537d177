using System.IO.Pipelines;
using Microsoft.AspNetCore.Connections;

namespace MtlsGateway.Connections;

/// <summary>
/// Waits, within a deadline, until a connection's whole ClientHello is buffered, and parses it without consuming a
/// byte: whoever reads the pipe next (Kestrel's TLS layer or the passthrough relay) sees the hello from its start.
/// </summary>
public static class ClientHelloReader
{
    private const byte TlsHandshakeRecord = 0x16;

    public static async Task<ClientHelloReadResult> ReadAsync(PipeReader input, TimeSpan timeout, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(input);
        using var deadline = new CancellationTokenSource(timeout, time);
        byte? first = null;
        long read = 0;
        long needed = 1;
        try
        {
            while (true)
            {
                var result = await input.ReadAsync(deadline.Token);
                var buffer = result.Buffer;
                read = buffer.Length;
                if (!buffer.IsEmpty)
                {
                    first ??= buffer.FirstSpan[0];
                }

                var status = ClientHelloStatus.Incomplete;
                ClientHello? hello = null;
                string? problem = null;
                if (first is not null and not TlsHandshakeRecord)
                {
                    status = ClientHelloStatus.Malformed;
                }
                else if (read >= needed)
                {
                    status = ClientHelloParser.TryParse(buffer, out hello, out problem, out needed);
                }

                if (status != ClientHelloStatus.Incomplete || result.IsCompleted)
                {
                    // Consumed nothing AND examined nothing: the next reader must get these bytes at once. Marking
                    // them examined would make its first read wait for more (NOTES Q4: the handshake then stalls).
                    input.AdvanceTo(buffer.Start);
                    return status switch
                    {
                        ClientHelloStatus.Complete => new(ClientHelloReadOutcome.Hello, hello, first, read, null),
                        ClientHelloStatus.Incomplete when read == 0 => new(ClientHelloReadOutcome.Closed, null, null, 0, null),
                        ClientHelloStatus.Incomplete => new(ClientHelloReadOutcome.Malformed, null, first, read,
                            $"the client closed the connection after {read} bytes, before its ClientHello was complete"),
                        _ when first != TlsHandshakeRecord => new(ClientHelloReadOutcome.NotTls, null, first, read, null),
                        _ => new(ClientHelloReadOutcome.Malformed, null, first, read, problem),
                    };
                }

                // Examined everything, consumed nothing: wake up only when more bytes arrive.
                input.AdvanceTo(buffer.Start, buffer.End);
            }
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            return new(ClientHelloReadOutcome.TimedOut, null, first, read, null);
        }
        catch (Exception ex) when (ex is ConnectionResetException or IOException or ConnectionAbortedException)
        {
            return read == 0
                ? new(ClientHelloReadOutcome.Closed, null, null, 0, null)
                : new(ClientHelloReadOutcome.Malformed, null, first, read, $"the client reset the connection after {read} bytes, before its ClientHello was complete");
        }
    }
}
