using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;

namespace MtlsGateway.Tests.Passthrough;

/// <summary>Shared pieces of the passthrough tests: the config entry and clients that connect through the gateway.</summary>
internal static class PassthroughSetup
{
    /// <summary>Adds entry <c>legacy</c> (<c>legacy.partner.test</c> and <c>*.legacy.test</c>) with <paramref name="destinations"/>
    /// and optional extra keys (<c>IdleTimeout</c>, …).</summary>
    public static Action<JsonObject, string> Entry(string[] destinations, Action<JsonObject>? edit = null) => (config, _) =>
    {
        var entry = new JsonObject
        {
            ["Hosts"] = new JsonArray("legacy.partner.test", "*.legacy.test"),
            ["Destinations"] = new JsonArray([.. destinations.Select(d => (JsonNode)d)]),
        };
        edit?.Invoke(entry);
        config["Gateway"]!["Passthrough"] = new JsonObject { ["legacy"] = entry };
    };

    public static Action<JsonObject, string> Entry(params int[] ports) => Entry([.. ports.Select(p => $"127.0.0.1:{p}")]);

    /// <summary>A loopback port nothing listens on (bound, then released).</summary>
    public static int RefusedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>A raw socket to the gateway with NoDelay, so each write leaves as its own segment.</summary>
    public static async Task<Socket> ConnectAsync(int port)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(IPAddress.Loopback, port);
        return socket;
    }

    /// <summary>A TLS client through the gateway to SNI <paramref name="sni"/> that trusts only <paramref name="root"/>:
    /// the handshake fails unless the backend's own certificate reaches the client.</summary>
    public static async Task<(SslStream Tls, X509Certificate2 Seen)> ConnectTlsAsync(
        int port, string sni, X509Certificate2 root, X509Certificate2? clientCertificate = null, int? fragmentRecords = null)
    {
        var socket = await ConnectAsync(port);
        Stream network = new NetworkStream(socket, ownsSocket: true);
        if (fragmentRecords is { } size)
        {
            network = new FragmentingStream(network, size);
        }

        var tls = new SslStream(network);
        X509Certificate2? seen = null;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = sni,
            ApplicationProtocols = [SslApplicationProtocol.Http11],
            ClientCertificates = clientCertificate is null ? null : [clientCertificate],
            RemoteCertificateValidationCallback = (_, certificate, _, _) =>
            {
                seen = X509CertificateLoader.LoadCertificate(certificate!.GetRawCertData());
                return TlsBackend.ChainsTo(seen, root);
            },
        }, timeout.Token);
        return (tls, seen!);
    }

    /// <summary>One line from the server, or null when the connection ends or fails first (bounded wait).</summary>
    public static async Task<string?> ReadLineAsync(Stream stream)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        var line = new List<byte>();
        var one = new byte[1];
        try
        {
            while (await stream.ReadAsync(one, timeout.Token) == 1)
            {
                if (one[0] == (byte)'\n')
                {
                    return System.Text.Encoding.ASCII.GetString([.. line]);
                }

                line.Add(one[0]);
            }
        }
        catch (Exception ex) when (ex is IOException or System.Security.Authentication.AuthenticationException)
        {
        }

        return null;
    }
}
