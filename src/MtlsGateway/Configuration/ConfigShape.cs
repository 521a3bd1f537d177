using System.Collections;
using System.Globalization;
using System.Reflection;
using Microsoft.Extensions.Configuration;

namespace MtlsGateway.Configuration;

/// <summary>
/// Checks a section against the options class it binds to before the binder runs, which stops at the first value it
/// cannot convert or the first unknown key and names .NET types. Here every key is looked at: each unknown key is
/// reported with the nearest known one, each value that does not convert with what is allowed, each empty object that
/// would silently bind to nothing; <see cref="Without"/> then gives the binder the rest, so every other check still runs.
/// </summary>
internal static class ConfigShape
{
    private static readonly NullabilityInfoContext Nullability = new();

    public static List<ConfigError> Check(IConfigurationSection section, Type type)
    {
        ArgumentNullException.ThrowIfNull(section);
        var errors = new List<ConfigError>();
        CheckObject(section, type, errors);
        return errors;
    }

    /// <summary>The section's values minus those at (or under) the paths of <paramref name="errors"/>, ready to bind.</summary>
    public static IConfigurationSection Without(IConfigurationSection section, IReadOnlyCollection<ConfigError> errors)
    {
        ArgumentNullException.ThrowIfNull(section);
        var bad = errors.Select(e => e.Path).ToList();
        var kept = section.AsEnumerable()
            .Where(p => !bad.Any(b => p.Key.Equals(b, StringComparison.OrdinalIgnoreCase) || p.Key.StartsWith(b + ":", StringComparison.OrdinalIgnoreCase)));
        return new ConfigurationBuilder().AddInMemoryCollection(kept).Build().GetSection(section.Path);
    }

    private static void CheckObject(IConfigurationSection section, Type type, List<ConfigError> errors)
    {
        // What the binder fills: settable properties, and get-only objects and collections (bound in place).
        var properties = type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.GetIndexParameters().Length == 0 && (p.SetMethod?.IsPublic == true || !IsScalar(Nullable.GetUnderlyingType(p.PropertyType) ?? p.PropertyType)))
            .ToList();
        foreach (var child in section.GetChildren())
        {
            var property = properties.FirstOrDefault(p => p.Name.Equals(child.Key, StringComparison.OrdinalIgnoreCase));
            if (property is null)
            {
                errors.Add(new ConfigError(child.Path, UnknownKey(child.Key, section.Path, properties.Select(p => p.Name))));
                continue;
            }

            if (child.Value is null && !child.GetChildren().Any())
            {
                // An empty object (or null): a class the property may leave null would bind to nothing, silently.
                if (!property.PropertyType.IsValueType && property.PropertyType != typeof(string)
                    && (Nullability.Create(property).WriteState == NullabilityState.Nullable || property.Name == nameof(PolicyOptions.Partners)))
                {
                    errors.Add(new ConfigError(child.Path, "is empty; give it its keys (docs/configuration.md) or remove it"));
                }

                continue;
            }

            CheckValue(child, property.PropertyType, property.Name, errors);
        }
    }

    private static void CheckValue(IConfigurationSection section, Type type, string key, List<ConfigError> errors)
    {
        var scalar = Nullable.GetUnderlyingType(type) ?? type;
        if (IsScalar(scalar))
        {
            if (section.GetChildren().Any())
            {
                errors.Add(new ConfigError(section.Path, $"is an object or a list; give it a single value ({Expected(scalar, key)})"));
            }
            else if (section.Value is { Length: > 0 } value && Problem(value, scalar, key) is { } problem)
            {
                errors.Add(new ConfigError(section.Path, problem));
            }

            return;
        }

        if (section.Value is { Length: > 0 } && !section.GetChildren().Any())
        {
            errors.Add(new ConfigError(section.Path, $"'{section.Value}' is a single value; this key holds an object or a list (docs/configuration.md)"));
            return;
        }

        if (ElementType(scalar) is { } element)
        {
            foreach (var item in section.GetChildren())
            {
                CheckValue(item, element, key, errors);
            }

            return;
        }

        CheckObject(section, scalar, errors);
    }

    private static bool IsScalar(Type type) =>
        type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal) || type == typeof(TimeSpan) || type == typeof(Uri);

    /// <summary>The values of a dictionary (keyed by name) or the items of a list; null for an object.</summary>
    private static Type? ElementType(Type type)
    {
        if (type.IsArray)
        {
            return type.GetElementType();
        }

        if (!type.IsGenericType || !typeof(IEnumerable).IsAssignableFrom(type))
        {
            return null;
        }

        var arguments = type.GetGenericArguments();
        return arguments.Length == 2 ? arguments[1] : arguments[0];
    }

    private static string? Problem(string value, Type type, string key)
    {
        var text = value.Trim();
        var ok = type switch
        {
            _ when type == typeof(string) => true,
            _ when type == typeof(bool) => bool.TryParse(text, out _),
            _ when type == typeof(int) => int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out _),
            _ when type == typeof(long) => long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out _),
            _ when type == typeof(double) => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out _),
            _ when type == typeof(TimeSpan) => TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out _),
            _ when type == typeof(Uri) => Uri.TryCreate(text, UriKind.RelativeOrAbsolute, out _),
            _ when type.IsEnum => Enum.GetNames(type).Any(n => n.Equals(text, StringComparison.OrdinalIgnoreCase)),
            _ => true,
        };
        if (ok)
        {
            return null;
        }

        var problem = $"'{value}' {Expected(type, key)}";
        return type.IsEnum && key == nameof(PolicyOptions.Mode) && text.Equals("Passthrough", StringComparison.OrdinalIgnoreCase)
            ? $"{problem}. Passthrough is not a policy mode: list the host names under Gateway:Passthrough, whose TLS the gateway relays untouched (docs/modes.md)"
            : problem;
    }

    private static string Expected(Type type, string key) => type switch
    {
        _ when type == typeof(bool) => "is not true or false",
        _ when type == typeof(int) || type == typeof(long) => "is not a whole number",
        _ when type == typeof(double) => "is not a number",
        _ when type == typeof(TimeSpan) => "is not a duration; write it as [d.]hh:mm:ss, e.g. '00:00:30'",
        _ when type.IsEnum => $"is not {(key == nameof(PolicyOptions.Mode) ? "a mode" : $"a value of {key}")}; one of {string.Join(", ", Enum.GetNames(type))}",
        _ => "is a text value",
    };

    /// <summary>"'CrlFile' is not a setting of …; did you mean 'CrlFiles'?" (the nearest name within a third of its length).</summary>
    internal static string UnknownKey(string key, string parent, IEnumerable<string> known)
    {
        var names = known.ToList();
        var nearest = names.Select(n => (Name: n, Distance: Distance(key.ToUpperInvariant(), n.ToUpperInvariant())))
            .Where(n => n.Distance <= Math.Max(2, key.Length / 3)).OrderBy(n => n.Distance).FirstOrDefault().Name;
        return nearest is not null
            ? $"'{key}' is not a setting of {parent}; did you mean '{nearest}'?"
            : $"'{key}' is not a setting of {parent}; known: {ConfigError.Known(names)}";
    }

    private static int Distance(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var current = new int[b.Length + 1];
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            }

            previous = current;
        }

        return previous[b.Length];
    }
}
