using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using MtlsGateway.Connections;
using MtlsGateway.Demo;
using MtlsGateway.Hosting;
using MtlsGateway.Pki;

namespace MtlsGateway.Tests.Support;

/// <summary>
/// A real gateway on loopback for end-to-end tests: a development PKI generated for the test, a config file
/// written to a temp folder, Kestrel listeners on port 0, a real echo backend, and clients that speak real TLS
/// with a chosen SNI and client certificate.
/// </summary>
internal sealed class GatewayTestHost : IAsyncDisposable
{
    private readonly WebApplication _backend;

    private GatewayTestHost(string directory, string configPath, WebApplication gateway, WebApplication backend, LogSink logs)
    {
        Directory = directory;
        ConfigPath = configPath;
        Gateway = gateway;
        _backend = backend;
        Logs = logs;
    }

    public string Directory { get; }

    public WebApplication Gateway { get; }

    public LogSink Logs { get; }

    public string Pki(string file) => Path.Combine(Directory, "pki", file);

    public string ConfigPath { get; }

    /// <summary>Edits the config file the way an operator would (write a new file, rename it over the old one).</summary>
    public async Task EditConfigAsync(Action<JsonObject> edit)
    {
        var config = (JsonObject)JsonNode.Parse(await File.ReadAllTextAsync(ConfigPath))!;
        edit(config);
        await ReplaceFileAsync(ConfigPath, config.ToJsonString());
    }

    /// <summary>Replaces a file atomically (write beside, rename over).</summary>
    public static async Task ReplaceFileAsync(string path, string content)
    {
        var temporary = path + ".tmp-" + Guid.NewGuid().ToString("N")[..6];
        await File.WriteAllTextAsync(temporary, content);
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>Waits for the reload that produces configuration <paramref name="version"/> (or its refusal).</summary>
    public Task<Serilog.Events.LogEvent> WaitForReloadAsync(long version) =>
        Logs.WaitForAsync("ConfigReloaded", e => LogSink.Property(e, "Version") == version.ToString(System.Globalization.CultureInfo.InvariantCulture));

    public int Port(string listener = "public") =>
        Gateway.Services.GetRequiredService<BoundListeners>().EndPointOf(listener).Port;

    public int AdminPort => Port(BoundListeners.AdminName);

    /// <summary>Starts a gateway whose config is <see cref="DefaultConfig"/> edited by <paramref name="configure"/>.</summary>
    /// <param name="configure">Edits the config; gets the test folder (the PKI is under <c>pki/</c>).</param>
    /// <param name="time">The gateway's clock.</param>
    /// <param name="configPath">Where to write the config file (default: <c>gateway.json</c> in the test folder).</param>
    /// <param name="gatewayLogLevel">The lowest level of the gateway's own events that <see cref="Logs"/> collects.</param>
    public static async Task<GatewayTestHost> StartAsync(Action<JsonObject, string>? configure = null, TimeProvider? time = null, string? configPath = null,
        Serilog.Events.LogEventLevel gatewayLogLevel = Serilog.Events.LogEventLevel.Information)
    {
        var directory = Path.Combine(Path.GetTempPath(), "mtlsgw-" + Guid.NewGuid().ToString("N")[..12]);
        System.IO.Directory.CreateDirectory(directory);
        DevPki.Write(Path.Combine(directory, "pki"), (time ?? TimeProvider.System).GetUtcNow());

        var backend = DemoBackendService.CreateEchoServer("http://127.0.0.1:0");
        await backend.StartAsync();
        var backendUrl = backend.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();

        var config = DefaultConfig(backendUrl);
        configure?.Invoke(config, directory);
        configPath ??= Path.Combine(directory, "gateway.json");
        await File.WriteAllTextAsync(configPath, config.ToJsonString());

        var logs = new LogSink();
        var gateway = GatewayApplication.Build(new GatewayRunOptions
        {
            ConfigPath = configPath,
            TimeProvider = time,
            ConfigureLogging = logging => logging.WriteTo.Sink(logs).MinimumLevel.Override("MtlsGateway", gatewayLogLevel),
        });
        await gateway.StartAsync();
        return new GatewayTestHost(directory, configPath, gateway, backend, logs);
    }

    /// <summary>Two listeners and an admin one on loopback port 0; the dev PKI's trust store; a Strict and a
    /// Permissive policy; routes on a mixed host (localhost), a Strict-only host and a Permissive-only host.</summary>
    public static JsonObject DefaultConfig(string backendUrl) => (JsonObject)JsonNode.Parse($$"""
    {
      "Gateway": {
        "Listeners": {
          "public": { "Url": "https://127.0.0.1:0" },
          "plain": { "Url": "http://127.0.0.1:0" }
        },
        "Admin": { "Url": "http://127.0.0.1:0" },
        "ServerCertificates": [
          { "Hosts": [ "localhost", "*.partner.test" ], "CertificateFile": "pki/server.crt", "KeyFile": "pki/server.key", "Default": true }
        ],
        "TrustStores": {
          "partners": {
            "CaFiles": [ "pki/partners-root.crt", "pki/partners-intermediate.crt" ],
            "CrlFiles": [ "pki/partners.crl", "pki/partners-root.crl" ],
            "Revocation": "Offline"
          }
        },
        "Policies": {
          "acme-orders": {
            "Mode": "Strict",
            "TrustStore": "partners",
            "Allow": { "CommonNames": [ "acme-orders-client" ], "Uris": [ "spiffe://acme.test/orders/*" ] }
          },
          "open-status": { "Mode": "Permissive", "TrustStore": "partners" }
        },
        "DefaultPolicy": "acme-orders",
        "Reload": { "PollInterval": "00:00:00.100" }
      },
      "ReverseProxy": {
        "Routes": {
          "orders": { "ClusterId": "echo", "AuthorizationPolicy": "acme-orders", "Match": { "Hosts": [ "localhost" ], "Path": "/orders/{**rest}" } },
          "status": { "ClusterId": "echo", "AuthorizationPolicy": "open-status", "Match": { "Hosts": [ "localhost" ], "Path": "/status" } },
          "strict-host": { "ClusterId": "echo", "Match": { "Hosts": [ "strict.partner.test" ], "Path": "/{**rest}" } },
          "open-host": { "ClusterId": "echo", "AuthorizationPolicy": "open-status", "Match": { "Hosts": [ "open.partner.test" ], "Path": "/{**rest}" } }
        },
        "Clusters": {
          "echo": { "Destinations": { "a": { "Address": "{{backendUrl}}/" } } }
        }
      },
      "Serilog": { "MinimumLevel": { "Default": "Warning", "Override": { "MtlsGateway": "Information" } } }
    }
    """)!;

    /// <summary>A client certificate from the test PKI (<c>client</c>, <c>client-expired</c>, …) with the chain its file holds.</summary>
    public SslStreamCertificateContext ClientCertificate(string name)
    {
        var leaf = X509Certificate2.CreateFromPemFile(Pki(name + ".crt"), Pki(name + ".key"));
        var all = new X509Certificate2Collection();
        all.ImportFromPemFile(Pki(name + ".crt"));
        var chain = new X509Certificate2Collection();
        for (var i = 1; i < all.Count; i++)
        {
            chain.Add(all[i]);
        }

        return SslStreamCertificateContext.Create(leaf, chain, offline: true);
    }

    /// <summary>An HttpClient that connects to <paramref name="listener"/> on loopback with SNI and Host <paramref name="host"/>.</summary>
    public HttpClient CreateClient(string host = "localhost", string? certificate = "client", string listener = "public", Version? version = null) =>
        CreateClientWith(host, certificate is null ? null : ClientCertificate(certificate), listener, version);

    /// <summary>As above, with a client certificate built by the test.</summary>
    public HttpClient CreateClientWith(string host, SslStreamCertificateContext? certificate, string listener = "public", Version? version = null)
    {
        var scheme = listener == "plain" ? "http" : "https";
        return new HttpClient(CreateHandler(certificate, listener))
        {
            BaseAddress = new Uri($"{scheme}://{host}:{Port(listener)}/"),
            DefaultRequestVersion = version ?? HttpVersion.Version11,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Timeout = TimeSpan.FromSeconds(30),
        };
    }

    /// <summary>The handler behind <see cref="CreateClientWith"/>: connects to <paramref name="listener"/> on loopback
    /// whatever the URI's host (which gives SNI and Host), trusting the test PKI's root; for ClientWebSocket too.</summary>
    public SocketsHttpHandler CreateHandler(SslStreamCertificateContext? certificate, string listener = "public")
    {
        var port = Port(listener);
        var root = X509CertificateLoader.LoadCertificateFromFile(Pki("partners-root.crt"));
        return new SocketsHttpHandler
        {
            ConnectCallback = async (_, token) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                await socket.ConnectAsync(IPAddress.Loopback, port, token);
                return new NetworkStream(socket, ownsSocket: true);
            },
            SslOptions = new SslClientAuthenticationOptions
            {
                ClientCertificateContext = certificate,
                RemoteCertificateValidationCallback = (_, serverCertificate, _, _) => ChainsTo(serverCertificate, root),
            },
        };
    }

    private static bool ChainsTo(X509Certificate? certificate, X509Certificate2 root)
    {
        if (certificate is null)
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(root);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()));
    }

    public async ValueTask DisposeAsync()
    {
        await Gateway.StopAsync();
        await Gateway.DisposeAsync();
        await _backend.StopAsync();
        await _backend.DisposeAsync();
        Logs.Dispose();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A log file still open on a slow runner: the temp folder is cleaned by the OS.
        }
    }
}
