using System.Diagnostics.Metrics;
using Prometheus;

namespace MtlsGateway.Admin;

/// <summary>One meter instrument's Prometheus metric: how a measurement is applied, and for observable instruments
/// which label sets were reported at the last scrape (a certificate gone after a reload must leave /metrics).</summary>
internal sealed class ExportedInstrument
{
    private static readonly double[] SecondsBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 3600];
    private static readonly double[] BytesBuckets = Histogram.ExponentialBuckets(256, 4, 12);

    private readonly Kind _kind;
    private readonly string[] _labelNames;
    private readonly Prometheus.Counter? _counter;
    private readonly Gauge? _gauge;
    private readonly Prometheus.Histogram? _histogram;
    private Dictionary<string, string[]> _reported = new(StringComparer.Ordinal);
    private Dictionary<string, string[]> _reporting = new(StringComparer.Ordinal);

    private ExportedInstrument(Kind kind, string[] labelNames, Prometheus.Counter? counter, Gauge? gauge, Prometheus.Histogram? histogram)
    {
        _kind = kind;
        _labelNames = labelNames;
        _counter = counter;
        _gauge = gauge;
        _histogram = histogram;
    }

    private enum Kind
    {
        Counter,
        ObservableCounter,
        UpDownCounter,
        ObservableGauge,
        Histogram,
        Unsupported,
    }

    public static ExportedInstrument Create(Instrument instrument, string name, string[] labelNames, IMetricFactory metrics)
    {
        var kind = KindOf(instrument);
        var help = string.IsNullOrWhiteSpace(instrument.Description) ? name : instrument.Description;
        return kind switch
        {
            Kind.Counter or Kind.ObservableCounter => new(kind, labelNames, metrics.CreateCounter(name, help, labelNames), null, null),
            Kind.UpDownCounter or Kind.ObservableGauge => new(kind, labelNames, null, metrics.CreateGauge(name, help, labelNames), null),
            Kind.Histogram => new(kind, labelNames, null, null, metrics.CreateHistogram(name, help, labelNames, new HistogramConfiguration
            {
                Buckets = instrument.Unit switch
                {
                    "s" => SecondsBuckets,
                    "By" => BytesBuckets,
                    _ => null, // prometheus-net's defaults
                },
            })),
            _ => new(kind, labelNames, null, null, null),
        };
    }

    public void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var labels = LabelValues(tags);
        switch (_kind)
        {
            case Kind.Counter when value >= 0:
                Child(_counter!, labels).Inc(value);
                break;
            case Kind.ObservableCounter:
                Child(_counter!, labels).IncTo(value);
                Reported(labels);
                break;
            case Kind.UpDownCounter:
                Child(_gauge!, labels).Inc(value);
                break;
            case Kind.ObservableGauge:
                Child(_gauge!, labels).Set(value);
                Reported(labels);
                break;
            case Kind.Histogram:
                Child(_histogram!, labels).Observe(value);
                break;
            default:
                break;
        }
    }

    /// <summary>Called (under the exporter's lock) before observable instruments are read for a scrape.</summary>
    public void BeginRound() => _reporting = new Dictionary<string, string[]>(StringComparer.Ordinal);

    /// <summary>Removes the series an observable instrument reported last time but not this time.</summary>
    public void EndRound()
    {
        if (_kind is not (Kind.ObservableGauge or Kind.ObservableCounter))
        {
            return;
        }

        foreach (var (key, labels) in _reported)
        {
            if (!_reporting.ContainsKey(key) && labels.Length > 0)
            {
                if (_gauge is not null)
                {
                    _gauge.RemoveLabelled(labels);
                }
                else
                {
                    _counter!.RemoveLabelled(labels);
                }
            }
        }

        _reported = _reporting;
    }

    private void Reported(string[] labels) => _reporting[string.Join('\u001f', labels)] = labels;

    private static ICounter Child(Prometheus.Counter metric, string[] labels) => labels.Length == 0 ? metric : metric.WithLabels(labels);

    private static IGauge Child(Gauge metric, string[] labels) => labels.Length == 0 ? metric : metric.WithLabels(labels);

    private static IHistogram Child(Prometheus.Histogram metric, string[] labels) => labels.Length == 0 ? metric : metric.WithLabels(labels);

    private string[] LabelValues(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (_labelNames.Length == 0)
        {
            return [];
        }

        var values = new string[_labelNames.Length];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = string.Empty;
            foreach (var tag in tags)
            {
                if (SanitizesTo(tag.Key, _labelNames[i]))
                {
                    values[i] = tag.Value?.ToString() ?? string.Empty;
                    break;
                }
            }
        }

        return values;
    }

    /// <summary>Whether <paramref name="key"/> becomes <paramref name="label"/> (no allocation: runs per measurement).</summary>
    private static bool SanitizesTo(string key, string label)
    {
        if (key.Length != label.Length)
        {
            return false;
        }

        for (var i = 0; i < key.Length; i++)
        {
            var c = key[i];
            if ((char.IsAsciiLetterOrDigit(c) ? char.ToLowerInvariant(c) : '_') != label[i])
            {
                return false;
            }
        }

        return true;
    }

    private static Kind KindOf(Instrument instrument)
    {
        if (!instrument.GetType().IsGenericType)
        {
            return Kind.Unsupported;
        }

        var definition = instrument.GetType().GetGenericTypeDefinition();
        return definition == typeof(Counter<>) ? Kind.Counter
            : definition == typeof(ObservableCounter<>) ? Kind.ObservableCounter
            : definition == typeof(UpDownCounter<>) ? Kind.UpDownCounter
            : definition == typeof(ObservableGauge<>) || definition == typeof(ObservableUpDownCounter<>) ? Kind.ObservableGauge
            : definition == typeof(Histogram<>) ? Kind.Histogram
            : Kind.Unsupported;
    }
}
