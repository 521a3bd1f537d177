namespace MtlsGateway.Ops;

/// <summary>One source of requests on a Permissive route without a verified certificate: a remote IP and, when it
/// presented a certificate that failed (Report mode), that certificate's subject and why it failed.</summary>
public sealed class UnverifiedCaller(string remoteIp, string? subject, string? sha256, string verified, string? failure, DateTimeOffset now)
{
    private long _requests;
    private long _lastSeenTicks = now.UtcTicks;

    public string RemoteIp { get; } = remoteIp;

    public string? Subject { get; } = subject;

    public string? Sha256 { get; } = sha256;

    /// <summary><c>NONE</c> (no certificate) or <c>FAILED</c>.</summary>
    public string Verified { get; } = verified;

    /// <summary>With <c>FAILED</c>: the Reason Strict would refuse with.</summary>
    public string? Failure { get; } = failure;

    public long Requests => Interlocked.Read(ref _requests);

    public DateTimeOffset LastSeen => new(Interlocked.Read(ref _lastSeenTicks), TimeSpan.Zero);

    internal void Requested(DateTimeOffset now)
    {
        Interlocked.Increment(ref _requests);
        Interlocked.Exchange(ref _lastSeenTicks, now.UtcTicks);
    }
}
