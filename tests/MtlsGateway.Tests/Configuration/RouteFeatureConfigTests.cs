using MtlsGateway.Cli;
using MtlsGateway.Tests.Support;

namespace MtlsGateway.Tests.Configuration;

/// <summary>YARP's per-route keys the gateway cannot honour are validation errors with the reason, never ignored.</summary>
[Trait("Category", "Unit")]
public sealed class RouteFeatureConfigTests
{
    /// <summary>The route key, its value, a fragment of the error at <c>ReverseProxy:Routes:status:&lt;key&gt;</c>.</summary>
    public static TheoryData<string, string, string> Refused => new()
    {
        { "Timeout", "soon", "must be a positive time span, e.g. '00:00:30'; got 'soon'" },
        { "Timeout", "00:00:00", "must be a positive time span" },
        { "TimeoutPolicy", "slow-clients", "'slow-clients' is not a timeout policy" },
        { "CorsPolicy", "Default", "the gateway does not apply CORS" },
        { "CorsPolicy", "browsers", "remove CorsPolicy" },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public void Load_RouteKeyTheGatewayCannotHonour_IsRefusedWithTheReason(string key, string value, string message)
    {
        using var folder = new ConfigFolder((config, _) => config["ReverseProxy"]!["Routes"]!["status"]![key] = value);

        ValidateCommand.Load(folder.ConfigPath, TimeProvider.System).ShouldReport($"ReverseProxy:Routes:status:{key}", message);
    }

    /// <summary>YARP itself ignores keys it does not know: a misspelt one is reported with the key YARP knows.</summary>
    [Theory]
    [InlineData("Routes:status", "Trasforms", "'Trasforms' is not a setting of ReverseProxy:Routes:status; did you mean 'Transforms'?")]
    [InlineData("Routes:status:Match", "Paths", "did you mean 'Path'?")]
    [InlineData("Clusters:echo", "Destination", "did you mean 'Destinations'?")]
    [InlineData("Clusters:echo:Destinations:a", "Adress", "did you mean 'Address'?")]
    public void Load_MisspeltYarpKey_IsReportedWithTheNearestKnownKey(string at, string key, string message)
    {
        using var folder = new ConfigFolder((config, _) =>
        {
            var node = config["ReverseProxy"]!;
            foreach (var part in at.Split(':'))
            {
                node = node[part]!;
            }

            node[key] = key == "Destination" ? new System.Text.Json.Nodes.JsonObject() : "x";
        });

        ValidateCommand.Load(folder.ConfigPath, TimeProvider.System).ShouldReport($"ReverseProxy:{at}:{key}", message);
    }

    [Theory]
    [InlineData("Timeout", "00:00:30")]
    [InlineData("TimeoutPolicy", "Disable")]
    [InlineData("CorsPolicy", "Disable")]
    public void Load_RouteKeyTheGatewayHonours_IsAccepted(string key, string value)
    {
        using var folder = new ConfigFolder((config, _) => config["ReverseProxy"]!["Routes"]!["status"]![key] = value);

        var result = ValidateCommand.Load(folder.ConfigPath, TimeProvider.System);

        result.IsValid.Should().BeTrue(string.Join(" | ", result.Errors));
    }
}
