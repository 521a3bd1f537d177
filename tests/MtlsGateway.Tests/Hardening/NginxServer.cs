using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using MtlsGateway.Tests.Support;

namespace MtlsGateway.Tests.Hardening;

/// <summary>
/// A real nginx on a loopback port verifying client certificates (<c>ssl_verify_client on</c>), everything it reads and
/// writes (config, pid, logs, temp folders) under one temp prefix, run in the foreground and killed with its workers
/// on dispose. The reference the gateway's verdicts are compared with.
/// </summary>
internal sealed class NginxServer : IAsyncDisposable
{
    private static readonly string[] Candidates = ["/usr/sbin/nginx", "/usr/local/sbin/nginx", "/usr/local/nginx/sbin/nginx"];

    private readonly Process _process;

    private readonly string _binary;

    private NginxServer(Process process, string binary, int port, string prefix)
    {
        _process = process;
        _binary = binary;
        Port = port;
        Prefix = prefix;
    }

    public int Port { get; }

    /// <summary>The temp folder nginx runs in (<c>-p</c>); its error log is <c>error.log</c> there.</summary>
    public string Prefix { get; }

    /// <summary>Starts nginx; fails with a message saying how to install it when it is missing (CI installs it).</summary>
    public static async Task<NginxServer> StartAsync(string prefix, string certificate, string key, string caBundle, string crlBundle, int verifyDepth)
    {
        var binary = Find() ?? throw new InvalidOperationException(
            "nginx is not installed, and the differential check against nginx needs it: run 'apt-get install -y nginx' (Debian/Ubuntu; .ci/run installs it).");
        var port = RepositoryPaths.FreePort();
        Directory.CreateDirectory(prefix);
        var config = Path.Combine(prefix, "nginx.conf");
        await File.WriteAllTextAsync(config, Config(prefix, port, certificate, key, caBundle, crlBundle, verifyDepth));

        var startInfo = new ProcessStartInfo(binary)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in new[] { "-p", prefix, "-c", config, "-e", Path.Combine(prefix, "error.log"), "-g", "daemon off;" })
        {
            startInfo.ArgumentList.Add(argument);
        }

        var process = Process.Start(startInfo) ?? throw new InvalidOperationException("nginx did not start");
        var server = new NginxServer(process, binary, port, prefix);
        try
        {
            await server.WaitUntilListeningAsync();
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            if (!_process.HasExited)
            {
                // "-s stop" (SIGTERM through the pid file): the master stops and reaps its workers, then exits.
                await ProcessRunner.RunAsync(_binary, ["-p", Prefix, "-c", Path.Combine(Prefix, "nginx.conf"), "-e", Path.Combine(Prefix, "error.log"), "-s", "stop"], TimeSpan.FromSeconds(10));
            }

            await _process.WaitForExitAsync(deadline.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or TimeoutException or InvalidOperationException)
        {
            // Never leave nginx behind a failed test: the master and its workers (a worker left behind would keep the port).
            _process.Kill(entireProcessTree: true);
        }
        finally
        {
            _process.Dispose();
        }
    }

    private async Task WaitUntilListeningAsync()
    {
        // Bounded: 100 attempts over about ten seconds, and nginx exiting (a config error) ends it at once.
        for (var attempt = 0; attempt < 100; attempt++)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"nginx exited with {_process.ExitCode}: {await _process.StandardError.ReadToEndAsync()} {ErrorLog()}");
            }

            using var client = new TcpClient();
            try
            {
                await client.ConnectAsync(IPAddress.Loopback, Port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(100);
            }
        }

        throw new TimeoutException($"nginx did not listen on 127.0.0.1:{Port} within 10 s. {ErrorLog()}");
    }

    private string ErrorLog()
    {
        var path = Path.Combine(Prefix, "error.log");
        return File.Exists(path) ? File.ReadAllText(path) : string.Empty;
    }

    private static string? Find() =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(d => Path.Combine(d, "nginx"))
            .Concat(Candidates)
            .FirstOrDefault(File.Exists);

    private static string Config(string prefix, int port, string certificate, string key, string caBundle, string crlBundle, int verifyDepth) =>
        string.Create(CultureInfo.InvariantCulture, $$"""
        worker_processes 1;
        pid {{prefix}}/nginx.pid;
        error_log {{prefix}}/error.log info;
        events { worker_connections 64; }
        http {
            access_log {{prefix}}/access.log;
            client_body_temp_path {{prefix}}/body;
            proxy_temp_path {{prefix}}/proxy;
            fastcgi_temp_path {{prefix}}/fastcgi;
            uwsgi_temp_path {{prefix}}/uwsgi;
            scgi_temp_path {{prefix}}/scgi;
            server {
                listen 127.0.0.1:{{port}} ssl;
                server_name localhost;
                ssl_certificate {{certificate}};
                ssl_certificate_key {{key}};
                ssl_verify_client on;
                ssl_client_certificate {{caBundle}};
                ssl_crl {{crlBundle}};
                ssl_verify_depth {{verifyDepth}};
                location / {
                    default_type text/plain;
                    return 200 "admitted $ssl_client_verify\n";
                }
            }
        }

        """);
}
