using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace MtlsGateway.Configuration;

/// <summary>
/// Converts one configuration value, reporting a value that does not convert as a <see cref="ConfigError"/> at its
/// path (with the value and what is allowed) instead of throwing: one bad value never hides the others.
/// </summary>
internal static class ConfigValue
{
    public static int? Int32(IConfigurationSection section, string key, ICollection<ConfigError> errors) =>
        Convert(section, key, errors, (string v, out int r) => int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out r),
            "is not a whole number");

    public static long? Int64(IConfigurationSection section, string key, ICollection<ConfigError> errors) =>
        Convert(section, key, errors, (string v, out long r) => long.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out r),
            "is not a whole number");

    public static bool? Boolean(IConfigurationSection section, string key, ICollection<ConfigError> errors) =>
        Convert(section, key, errors, (string v, out bool r) => bool.TryParse(v, out r), "is not true or false");

    public static TimeSpan? Duration(IConfigurationSection section, string key, ICollection<ConfigError> errors) =>
        Convert(section, key, errors, (string v, out TimeSpan r) => TimeSpan.TryParse(v, CultureInfo.InvariantCulture, out r),
            "is not a duration; write it as [d.]hh:mm:ss, e.g. '00:00:30'");

    public static Version? Version(IConfigurationSection section, string key, ICollection<ConfigError> errors) =>
        ConvertObject(section, key, errors, (string v, out Version r) => System.Version.TryParse(v + (v.Contains('.', StringComparison.Ordinal) ? string.Empty : ".0"), out r!),
            "is not an HTTP version; one of 1.0, 1.1, 2, 3");

    public static Uri? AbsoluteUri(IConfigurationSection section, string key, ICollection<ConfigError> errors) =>
        ConvertObject(section, key, errors, (string v, out Uri r) => Uri.TryCreate(v, UriKind.Absolute, out r!), "is not an absolute URL");

    /// <summary>An enum value by name (any case); a number is refused too, since it says nothing to the next reader.</summary>
    public static TEnum? Enum<TEnum>(IConfigurationSection section, string key, string noun, ICollection<ConfigError> errors)
        where TEnum : struct, Enum =>
        Convert(section, key, errors, (string v, out TEnum r) => TryName(v, out r), $"is not {noun}; one of {Names<TEnum>()}");

    public static bool TryName<TEnum>(string value, out TEnum result)
        where TEnum : struct, Enum =>
        System.Enum.TryParse(value, ignoreCase: true, out result) && !value.TrimStart().StartsWith('-') && !char.IsDigit(value.TrimStart().FirstOrDefault())
        && System.Enum.IsDefined(result);

    public static string Names<TEnum>()
        where TEnum : struct, Enum => string.Join(", ", System.Enum.GetNames<TEnum>());

    private delegate bool Parser<T>(string value, out T result);

    private static T? Convert<T>(IConfigurationSection section, string key, ICollection<ConfigError> errors, Parser<T> parse, string problem)
        where T : struct => TryConvert(section, key, errors, parse, problem, out var result) ? result : null;

    private static T? ConvertObject<T>(IConfigurationSection section, string key, ICollection<ConfigError> errors, Parser<T> parse, string problem)
        where T : class => TryConvert(section, key, errors, parse, problem, out var result) ? result : null;

    /// <summary>False for an unset value, or for one that does not convert (then with its error at its path).</summary>
    private static bool TryConvert<T>(IConfigurationSection section, string key, ICollection<ConfigError> errors, Parser<T> parse, string problem, out T result)
    {
        result = default!;
        var value = section[key];
        if (string.IsNullOrEmpty(value))
        {
            return false;
        }

        if (parse(value.Trim(), out result))
        {
            return true;
        }

        errors.Add(new ConfigError($"{section.Path}:{key}", $"'{value}' {problem}"));
        return false;
    }
}
