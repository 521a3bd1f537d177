using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;

namespace MtlsGateway.Passthrough;

/// <summary>
/// Copies bytes both ways between a client connection and a destination socket until both directions have ended.
/// Client → destination reads Kestrel's input pipe (the peeked ClientHello is still in it, so it goes first) and
/// sends it through one pooled buffer; destination → client goes straight to the client's socket: received into one
/// pooled buffer and sent, and once the destination streams, spliced in the kernel on Linux (<see cref="SocketSplice"/>),
/// so no chunk allocates.
/// A FIN on one side becomes <see cref="Socket.Shutdown"/>(Send) on the other, and the opposite direction goes on.
/// Writing to the client socket rather than Kestrel's output pipe is what makes that half-close possible: completing
/// the pipe makes Kestrel close both directions of the socket.
/// Backpressure is natural: a pump reads again only once its previous send has completed.
/// </summary>
public sealed class TcpRelay : IDisposable
{
    private const int BufferSize = 64 * 1024;
    private const int SpliceAfter = BufferSize;
    private const int NotEnded = -1;

    private readonly IDuplexPipe _client;
    private readonly Socket? _clientSocket;
    private readonly Socket _backend;
    private readonly TimeSpan _idleTimeout;
    private readonly TimeProvider _time;
    private readonly PassthroughMetrics _metrics;
    private readonly string _entry;
    private readonly CancellationTokenSource _stop = new();
    private readonly ITimer _idleTimer;
    private readonly Lock _lock = new();
    private ITimer? _drainTimer;
    private long _lastActivity;
    private int _outcome = NotEnded;
    private bool _disposed;

    /// <param name="clientSocket">The client's socket (Kestrel's <c>IConnectionSocketFeature</c>); without one the
    /// destination's FIN closes the client connection entirely.</param>
    public TcpRelay(IDuplexPipe client, Socket? clientSocket, Socket backend, TimeSpan idleTimeout, TimeProvider time, PassthroughMetrics metrics, string entry)
    {
        _client = client;
        _clientSocket = clientSocket;
        _backend = backend;
        _idleTimeout = idleTimeout;
        _time = time;
        _metrics = metrics;
        _entry = entry;
        _lastActivity = time.GetTimestamp();
        _idleTimer = time.CreateTimer(static state => ((TcpRelay)state!).CheckIdle(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    public long BytesFromClient { get; private set; }

    public long BytesToClient { get; private set; }

    /// <summary>The exception that ended the relay, if one did.</summary>
    public string? Error { get; private set; }

    public async Task<PassthroughOutcome> RunAsync()
    {
        _idleTimer.Change(_idleTimeout, Timeout.InfiniteTimeSpan);
        await Task.WhenAll(FromClientAsync(), ToClientAsync());
        var outcome = Volatile.Read(ref _outcome);
        return outcome == NotEnded ? PassthroughOutcome.Completed : (PassthroughOutcome)outcome;
    }

    /// <summary>Ends the relay now with <paramref name="outcome"/> (unless it already ended for another reason).</summary>
    public void Stop(PassthroughOutcome outcome, Exception? error = null)
    {
        lock (_lock)
        {
            if (_outcome == NotEnded)
            {
                _outcome = (int)outcome;
                Error = error?.Message;
            }

            if (!_disposed)
            {
                _stop.Cancel();
            }
        }
    }

    /// <summary>Shutdown: let the relay go on for <paramref name="deadline"/> at most. Idempotent.</summary>
    public void Drain(TimeSpan deadline)
    {
        lock (_lock)
        {
            if (!_disposed && _drainTimer is null)
            {
                _drainTimer = _time.CreateTimer(static state => ((TcpRelay)state!).Stop(PassthroughOutcome.Shutdown), this, deadline, Timeout.InfiniteTimeSpan);
            }
        }
    }

    private async Task FromClientAsync()
    {
        var input = _client.Input;
        var sending = false;
        var gather = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            while (true)
            {
                var result = await input.ReadAsync(_stop.Token);
                var buffer = result.Buffer;
                sending = true;
                if (buffer.IsSingleSegment)
                {
                    await _backend.SendAsync(buffer.First, SocketFlags.None, _stop.Token);
                }
                else
                {
                    // Kestrel's pipe holds 4 KiB blocks: one send per block costs a syscall each, so gather them
                    // into one pooled buffer (a memcpy is far cheaper than the extra sends).
                    for (var rest = buffer; !rest.IsEmpty; rest = rest.Slice(Math.Min(rest.Length, gather.Length)))
                    {
                        var chunk = rest.Slice(0, Math.Min(rest.Length, gather.Length));
                        chunk.CopyTo(gather);
                        await _backend.SendAsync(gather.AsMemory(0, (int)chunk.Length), SocketFlags.None, _stop.Token);
                    }
                }

                sending = false;
                Relayed(buffer.Length, fromClient: true);
                input.AdvanceTo(buffer.End);
                if (result.IsCompleted)
                {
                    break;
                }
            }

            // The client sent FIN: pass it on; the destination may still answer.
            _backend.Shutdown(SocketShutdown.Send);
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // Stopped: the reason is already recorded.
        }
        catch (Exception ex) when (ex is IOException or SocketException or ConnectionResetException or ConnectionAbortedException or ObjectDisposedException)
        {
            Stop(sending ? PassthroughOutcome.BackendAborted : PassthroughOutcome.ClientAborted, ex);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(gather);
        }
    }

    private async Task ToClientAsync()
    {
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        SocketSplice? splice = null;
        var spliceTried = _clientSocket is null;
        var sending = false;
        try
        {
            while (true)
            {
                int moved;
                if (splice is null)
                {
                    moved = await _backend.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
                    if (moved == 0)
                    {
                        break;
                    }

                    sending = true;
                    if (_clientSocket is not null)
                    {
                        await _clientSocket.SendAsync(buffer.AsMemory(0, moved), SocketFlags.None, _stop.Token);
                    }
                    else
                    {
                        await _client.Output.WriteAsync(buffer.AsMemory(0, moved), _stop.Token);
                    }

                    sending = false;

                    // A destination that filled a whole buffer is streaming: from now on the kernel moves its bytes.
                    // Short exchanges (a TLS handshake, an API call) never pay for the splice's pipe.
                    if (!spliceTried && BytesToClient + moved >= SpliceAfter)
                    {
                        spliceTried = true;
                        splice = SocketSplice.TryCreate(_backend, _clientSocket!);
                    }
                }
                else
                {
                    moved = await splice.FillAsync(_stop.Token);
                    if (moved == 0)
                    {
                        break;
                    }

                    sending = true;
                    await splice.DrainAsync(moved, _stop.Token);
                    sending = false;
                }

                Relayed(moved, fromClient: false);
            }

            // The destination sent FIN: pass it on; the client may still send.
            if (_clientSocket is not null)
            {
                _clientSocket.Shutdown(SocketShutdown.Send);
            }
            else
            {
                await _client.Output.CompleteAsync();
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // Stopped: the reason is already recorded.
        }
        catch (Exception ex) when (ex is IOException or SocketException or ConnectionResetException or ConnectionAbortedException or ObjectDisposedException)
        {
            Stop(sending ? PassthroughOutcome.ClientAborted : PassthroughOutcome.BackendAborted, ex);
        }
        finally
        {
            splice?.Dispose();
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void Relayed(long bytes, bool fromClient)
    {
        if (fromClient)
        {
            BytesFromClient += bytes;
        }
        else
        {
            BytesToClient += bytes;
        }

        _metrics.Relayed(_entry, fromClient ? PassthroughMetrics.FromClient : PassthroughMetrics.ToClient, bytes);
        Volatile.Write(ref _lastActivity, _time.GetTimestamp());
    }

    /// <summary>One timer per relay, re-armed for the remaining idle time, instead of a reset per chunk.</summary>
    private void CheckIdle()
    {
        var idle = _time.GetElapsedTime(Volatile.Read(ref _lastActivity));
        if (idle >= _idleTimeout)
        {
            Stop(PassthroughOutcome.IdleTimeout);
            return;
        }

        lock (_lock)
        {
            if (!_disposed)
            {
                _idleTimer.Change(_idleTimeout - idle, Timeout.InfiniteTimeSpan);
            }
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _idleTimer.Dispose();
            _drainTimer?.Dispose();
            _stop.Dispose();
        }
    }
}
