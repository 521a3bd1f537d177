using System.CommandLine;

namespace MtlsGateway.Cli;

/// <summary>
/// <c>health [--url URL]</c>: exit 0 when the gateway's <c>/readyz</c> answers 200, 1 otherwise. It is the container's
/// HEALTHCHECK and a systemd or script probe: an image without a shell or curl can still ask the gateway itself.
/// </summary>
public static class HealthCommand
{
    public const string DefaultUrl = "http://127.0.0.1:9901/readyz";

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(3);

    public static Command Create()
    {
        var url = new Option<string>("--url")
        {
            Description = $"The readiness URL of the admin endpoint (default {DefaultUrl}; a URL without a path gets /readyz).",
            DefaultValueFactory = _ => DefaultUrl,
        };
        var command = new Command("health", "Ask a running gateway whether it is ready. Exit 0 when /readyz answers 200, 1 otherwise.") { url };
        command.SetAction((result, token) => ExecuteAsync(result.GetValue(url)!, Console.Out, token));
        return command;
    }

    public static async Task<int> ExecuteAsync(string url, TextWriter output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            await output.WriteLineAsync($"'{url}' is not an http:// URL; give the admin endpoint's, e.g. {DefaultUrl}");
            return GatewayCommandLine.UsageError;
        }

        if (uri.AbsolutePath == "/")
        {
            uri = new Uri(uri, "/readyz");
        }

        // No proxy from the environment: the probe is about this host's gateway, never about a proxy's answer.
        using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false, ConnectTimeout = Timeout }) { Timeout = Timeout };
        try
        {
            using var response = await client.GetAsync(uri, cancellationToken);
            var body = (await response.Content.ReadAsStringAsync(cancellationToken)).Trim();
            await output.WriteLineAsync($"{uri}: {(int)response.StatusCode} {body}");
            return response.IsSuccessStatusCode ? GatewayCommandLine.Ok : GatewayCommandLine.Refused;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            await output.WriteLineAsync($"{uri}: no answer ({e.Message}); is the gateway running, and is its admin endpoint at this address?");
            return GatewayCommandLine.Refused;
        }
    }
}
