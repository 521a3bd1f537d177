using System.Collections.Concurrent;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace MtlsGateway.Tests.Support;

/// <summary>
/// A minimal OTLP receiver on loopback (an OpenTelemetry Collector is not installable here): OTLP/HTTP
/// (<c>POST /v1/metrics</c>, <c>/v1/traces</c>, protobuf) and OTLP/gRPC (h2c, the same messages in gRPC frames). It decodes
/// just what the tests read — metric names, span names and string attributes — from the protobuf wire format.
/// </summary>
internal sealed class OtlpReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<string> _metricNames = new();
    private readonly ConcurrentQueue<Span> _spans = new();
    private readonly SemaphoreSlim _arrived = new(0);

    private OtlpReceiver(WebApplication app) => _app = app;

    public string Url => LoopbackApp.Address(_app);

    public IReadOnlyCollection<string> MetricNames => [.. _metricNames];

    public IReadOnlyCollection<Span> Spans => [.. _spans];

    public static async Task<OtlpReceiver> StartAsync(bool grpc = false)
    {
        var builder = LoopbackApp.CreateBuilder(url: null);
        builder.WebHost.ConfigureKestrel(k => k.Listen(System.Net.IPAddress.Loopback, 0, l => l.Protocols = grpc ? HttpProtocols.Http2 : HttpProtocols.Http1));
        var app = builder.Build();
        var receiver = new OtlpReceiver(app);
        app.MapPost("/v1/metrics", context => receiver.ReceiveAsync(context, receiver.ReadMetrics));
        app.MapPost("/v1/traces", context => receiver.ReceiveAsync(context, receiver.ReadTraces));
        app.MapPost("/opentelemetry.proto.collector.metrics.v1.MetricsService/Export", context => receiver.ReceiveAsync(context, receiver.ReadMetrics, grpc: true));
        app.MapPost("/opentelemetry.proto.collector.trace.v1.TraceService/Export", context => receiver.ReceiveAsync(context, receiver.ReadTraces, grpc: true));
        await app.StartAsync();
        return receiver;
    }

    /// <summary>Waits (bounded) until <paramref name="condition"/> holds over what has arrived.</summary>
    public async Task<bool> WaitForAsync(Func<OtlpReceiver, bool> condition, TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        while (!condition(this))
        {
            try
            {
                await _arrived.WaitAsync(cancel.Token);
            }
            catch (OperationCanceledException)
            {
                return condition(this);
            }
        }

        return true;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        _arrived.Dispose();
    }

    private async Task ReceiveAsync(HttpContext context, Action<ReadOnlyMemory<byte>> read, bool grpc = false)
    {
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body);
        ReadOnlyMemory<byte> message = body.ToArray();
        if (grpc)
        {
            message = message[5..]; // 1 byte compressed flag, 4 bytes length: one uncompressed message per call
        }

        read(message);
        _arrived.Release();
        if (grpc)
        {
            context.Response.ContentType = "application/grpc";
            context.Response.AppendTrailer("grpc-status", "0");
            await context.Response.Body.WriteAsync(new byte[5]); // an empty Export*ServiceResponse
        }
        else
        {
            context.Response.ContentType = "application/x-protobuf";
        }
    }

    // ExportMetricsServiceRequest.resource_metrics(1) → ResourceMetrics.scope_metrics(2) → ScopeMetrics.metrics(2) → Metric.name(1)
    private void ReadMetrics(ReadOnlyMemory<byte> request)
    {
        foreach (var resource in Fields(request, 1))
        {
            foreach (var scope in Fields(resource, 2))
            {
                foreach (var metric in Fields(scope, 2))
                {
                    _metricNames.Enqueue(Text(Fields(metric, 1).First()));
                }
            }
        }
    }

    // ExportTraceServiceRequest.resource_spans(1) → ResourceSpans.scope_spans(2) → ScopeSpans.spans(2) → Span.name(5), attributes(9)
    private void ReadTraces(ReadOnlyMemory<byte> request)
    {
        foreach (var resource in Fields(request, 1))
        {
            foreach (var scope in Fields(resource, 2))
            {
                foreach (var span in Fields(scope, 2))
                {
                    var attributes = new Dictionary<string, string>(StringComparer.Ordinal);
                    foreach (var attribute in Fields(span, 9))
                    {
                        // KeyValue.key(1), value(2) → AnyValue.string_value(1)
                        var value = Fields(attribute, 2).FirstOrDefault();
                        var text = value.IsEmpty ? null : Fields(value, 1).Select(Text).FirstOrDefault();
                        if (text is not null)
                        {
                            attributes[Text(Fields(attribute, 1).First())] = text;
                        }
                    }

                    _spans.Enqueue(new Span(Text(Fields(span, 5).FirstOrDefault()), attributes));
                }
            }
        }
    }

    private static string Text(ReadOnlyMemory<byte> bytes) => Encoding.UTF8.GetString(bytes.Span);

    /// <summary>The length-delimited fields numbered <paramref name="number"/> of one protobuf message.</summary>
    private static List<ReadOnlyMemory<byte>> Fields(ReadOnlyMemory<byte> message, int number)
    {
        var found = new List<ReadOnlyMemory<byte>>();
        var position = 0;
        while (position < message.Length)
        {
            var key = Varint(message.Span, ref position);
            var (field, wireType) = ((int)(key >> 3), (int)(key & 7));
            switch (wireType)
            {
                case 0:
                    Varint(message.Span, ref position);
                    break;
                case 1:
                    position += 8;
                    break;
                case 5:
                    position += 4;
                    break;
                case 2:
                    var length = (int)Varint(message.Span, ref position);
                    if (field == number)
                    {
                        found.Add(message.Slice(position, length));
                    }

                    position += length;
                    break;
                default:
                    throw new FormatException($"wire type {wireType} at {position}");
            }
        }

        return found;
    }

    private static ulong Varint(ReadOnlySpan<byte> bytes, ref int position)
    {
        ulong value = 0;
        for (var shift = 0; ; shift += 7)
        {
            var b = bytes[position++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }
    }

    public sealed record Span(string Name, IReadOnlyDictionary<string, string> Attributes);
}
