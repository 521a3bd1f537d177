namespace MtlsGateway.Connections;

/// <summary>The outcome of <see cref="ClientHelloReader.ReadAsync"/>.</summary>
/// <param name="FirstByte">The first byte received, when one was.</param>
/// <param name="BytesRead">How many bytes were buffered when reading stopped.</param>
/// <param name="Problem">For <see cref="ClientHelloReadOutcome.Malformed"/>: what is wrong, in words for the log's hint.</param>
public sealed record ClientHelloReadResult(ClientHelloReadOutcome Outcome, ClientHello? Hello, byte? FirstByte, long BytesRead, string? Problem);
