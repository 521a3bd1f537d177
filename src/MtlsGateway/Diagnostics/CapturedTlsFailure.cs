namespace MtlsGateway.Diagnostics;

/// <summary>What Kestrel's TLS layer said about one failed handshake: a timeout, or the exception (outer and
/// innermost message; OpenSSL's reason, such as "tlsv1 alert unknown ca", is only in the innermost).</summary>
public sealed record CapturedTlsFailure(bool TimedOut, string? ExceptionType, string? Message, string? InnermostMessage)
{
    public static CapturedTlsFailure From(Exception? exception)
    {
        if (exception is null)
        {
            return new CapturedTlsFailure(false, null, null, null);
        }

        var innermost = exception;
        while (innermost.InnerException is { } inner)
        {
            innermost = inner;
        }

        return new CapturedTlsFailure(exception is OperationCanceledException, exception.GetType().FullName, exception.Message, innermost.Message);
    }
}
