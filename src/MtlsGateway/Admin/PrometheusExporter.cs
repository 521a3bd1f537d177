using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Text;
using Microsoft.AspNetCore.Http;
using MtlsGateway.Diagnostics;
using Prometheus;

namespace MtlsGateway.Admin;

/// <summary>
/// Serves <c>/metrics</c>: the process and runtime series, and every instrument of THIS application's <c>MtlsGateway</c> meter (ours and those other
/// parts of the gateway add, e.g. passthrough), in the Prometheus text format written by prometheus-net. A
/// <see cref="MeterListener"/> filtered on the meter's scope (this app's <see cref="IMeterFactory"/>) feeds a
/// registry of its own, so gateways sharing a process never see each other's numbers. prometheus-net's own
/// MeterAdapter is not used: it exports counters as gauges, names them after the meter ("mtlsgateway_…") and
/// drops series idle for five minutes, which would make a rare refusal's counter vanish.
/// </summary>
/// <remarks>Names: instrument <c>mtls_gateway.refusals</c> (Counter) → <c>mtls_gateway_refusals_total</c>; unit
/// <c>s</c> → <c>_seconds</c>, <c>By</c> → <c>_bytes</c>; names lacking the <c>mtls_gateway_</c> prefix get it.
/// Tags become labels; an instrument should use the same tag keys on every measurement (a missing one reads "").</remarks>
public sealed class PrometheusExporter : IDisposable
{
    private const string Prefix = "mtls_gateway_";

    private readonly IMeterFactory _meterFactory;
    private readonly CollectorRegistry _registry = Metrics.NewCustomRegistry();
    private readonly IMetricFactory _metrics;
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<Instrument, ExportedInstrument> _exported = new();
    private readonly Lock _collecting = new();

    public PrometheusExporter(IMeterFactory meterFactory)
    {
        _meterFactory = meterFactory;
        _metrics = Metrics.WithCustomRegistry(_registry);
        // The process's and runtime's own series (process_cpu_seconds_total, process_working_set_bytes,
        // process_open_handles, dotnet_collection_count_total, dotnet_total_memory_bytes…), read at each scrape.
        DotNetStats.Register(_registry);
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (IsOurs(instrument))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<byte>((i, m, t, _) => Record(i, m, t));
        _listener.SetMeasurementEventCallback<short>((i, m, t, _) => Record(i, m, t));
        _listener.SetMeasurementEventCallback<int>((i, m, t, _) => Record(i, m, t));
        _listener.SetMeasurementEventCallback<long>((i, m, t, _) => Record(i, m, t));
        _listener.SetMeasurementEventCallback<float>((i, m, t, _) => Record(i, m, t));
        _listener.SetMeasurementEventCallback<double>((i, m, t, _) => Record(i, m, t));
        _listener.SetMeasurementEventCallback<decimal>((i, m, t, _) => Record(i, (double)m, t));
        _listener.Start();
    }

    /// <summary>Writes the current values in the Prometheus text format (0.0.4).</summary>
    public async Task WriteAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        lock (_collecting)
        {
            // Observable instruments (expiry gauges) are read now, from the configuration in force.
            foreach (var exported in _exported.Values)
            {
                exported.BeginRound();
            }

            _listener.RecordObservableInstruments();
            foreach (var exported in _exported.Values)
            {
                exported.EndRound();
            }
        }

        context.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
        context.Response.Headers.CacheControl = "no-store";
        await _registry.CollectAndExportAsTextAsync(context.Response.Body, ExpositionFormat.PrometheusText, context.RequestAborted);
    }

    public void Dispose() => _listener.Dispose();

    private bool IsOurs(Instrument instrument) =>
        ReferenceEquals(instrument.Meter.Scope, _meterFactory) && instrument.Meter.Name == GatewayMetrics.MeterName;

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        try
        {
            if (!_exported.TryGetValue(instrument, out var exported))
            {
                // First measurement: its tag keys become the label names. A race creates the same metric twice,
                // which prometheus-net resolves to one (same name and labels).
                exported = _exported.GetOrAdd(instrument, ExportedInstrument.Create(instrument, PrometheusName(instrument), LabelNames(tags), _metrics));
            }

            exported.Record(value, tags);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            // Two instruments mapping to one Prometheus name, or a label clash: drop the measurement, never fail the caller.
        }
    }

    private static string[] LabelNames(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var names = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var tag in tags)
        {
            names.Add(Sanitize(tag.Key));
        }

        return [.. names];
    }

    internal static string PrometheusName(Instrument instrument)
    {
        // Every instrument is named "mtls_gateway.x" (the OTLP name); "x" alone reads mtls_gateway_x too.
        var name = Sanitize(instrument.Name);
        if (!name.StartsWith(Prefix, StringComparison.Ordinal))
        {
            name = Prefix + name;
        }

        var unit = instrument.Unit switch
        {
            "s" => "_seconds",
            "ms" => "_milliseconds",
            "By" => "_bytes",
            _ => string.Empty,
        };
        if (unit.Length > 0 && !name.EndsWith(unit, StringComparison.Ordinal))
        {
            name += unit;
        }

        var isCounter = instrument.GetType().IsGenericType
            && instrument.GetType().GetGenericTypeDefinition() is var definition
            && (definition == typeof(Counter<>) || definition == typeof(ObservableCounter<>));
        return isCounter && !name.EndsWith("_total", StringComparison.Ordinal) ? name + "_total" : name;
    }

    internal static string Sanitize(string name)
    {
        var builder = new StringBuilder(name.Length);
        foreach (var c in name)
        {
            builder.Append(char.IsAsciiLetterOrDigit(c) ? char.ToLowerInvariant(c) : '_');
        }

        return builder.ToString();
    }
}
