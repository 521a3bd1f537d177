using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;
using MtlsGateway.Tests.Support;

namespace MtlsGateway.Tests.EndToEnd;

/// <summary>Raw HTTP/1.1 for the spoofing tests: header lines exactly as written (duplicates, any case, folding),
/// which HttpClient would normalise. Returns the status and the de-chunked body.</summary>
internal static class SpoofingRawHttp
{
    public static async Task<(int Status, string Body)> SendAsync(GatewayTestHost host, string listener, string hostName, string path,
        IEnumerable<string> headerLines, SslStreamCertificateContext? certificate)
    {
        var request = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"GET {path} HTTP/1.1\r\nHost: {hostName}\r\n")
            .AppendJoin("", headerLines.Select(l => l + "\r\n"))
            .Append("Connection: close\r\n\r\n")
            .ToString();
        var response = listener == "plain"
            ? await PlainExchangeAsync(host.Port("plain"), request)
            : await TlsProbe.ExchangeAsync(host.Port(listener), hostName, request, certificate);
        return Parse(response);
    }

    private static async Task<string> PlainExchangeAsync(int port, string request)
    {
        using var client = new TcpClient();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        await client.ConnectAsync(IPAddress.Loopback, port, timeout.Token);
        await using var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request), timeout.Token);
        using var reader = new StreamReader(stream, Encoding.ASCII);
        return await reader.ReadToEndAsync(timeout.Token);
    }

    private static (int Status, string Body) Parse(string response)
    {
        var status = int.Parse(response.AsSpan(9, 3), CultureInfo.InvariantCulture);
        var split = response.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        var head = response[..split];
        var body = response[(split + 4)..];
        if (!head.Contains("transfer-encoding: chunked", StringComparison.OrdinalIgnoreCase))
        {
            return (status, body);
        }

        var text = new StringBuilder();
        var position = 0;
        for (var chunks = 0; chunks < 10_000; chunks++)
        {
            var lineEnd = body.IndexOf("\r\n", position, StringComparison.Ordinal);
            var size = int.Parse(body.AsSpan(position, lineEnd - position).Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            if (size == 0)
            {
                break;
            }

            text.Append(body, lineEnd + 2, size);
            position = lineEnd + 2 + size + 2;
        }

        return (status, text.ToString());
    }
}
