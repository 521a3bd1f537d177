using System.Text.Json;

namespace MtlsGateway.Tests.Support;

/// <summary>Reads the admin listener's JSON (<c>/api/*</c>, <c>/config</c>) as a script would.</summary>
internal static class AdminApi
{
    public static async Task<JsonElement> GetAsync(GatewayTestHost host, string path)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(15) };
        using var response = await client.GetAsync(new Uri($"http://127.0.0.1:{host.AdminPort}{path}"));
        response.EnsureSuccessStatusCode();
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/json");
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    /// <summary>Sends <paramref name="count"/> requests on one connection and waits until the gateway has logged each
    /// one's <c>RequestCompleted</c> (written where the status page is fed).</summary>
    public static async Task SendAsync(GatewayTestHost host, HttpClient client, string path, int count = 1)
    {
        var before = host.Logs.Named("RequestCompleted").Count;
        for (var i = 0; i < count; i++)
        {
            using var response = await client.GetAsync(new Uri(path, UriKind.Relative));
            response.EnsureSuccessStatusCode();
        }

        await host.Logs.WaitForAsync("RequestCompleted", _ => host.Logs.Named("RequestCompleted").Count >= before + count);
    }
}
