using MtlsGateway.Cli;
using MtlsGateway.Tests.Support;

namespace MtlsGateway.Tests.Cli;

/// <summary>The command line as ops use it: exit codes and what it prints.</summary>
public sealed class CliTests
{
    [Fact]
    public async Task Validate_GoodConfig_ExitsZero()
    {
        using var folder = new ConfigFolder();

        var result = await GatewayCli.RunAsync("validate", "--config", folder.ConfigPath);

        result.ExitCode.Should().Be(0, result.Output);
        result.StandardOutput.Should().Contain("valid");
    }

    [Fact]
    public async Task Validate_BadConfig_ExitsOneAndPrintsPaths()
    {
        using var folder = new ConfigFolder((c, _) => c["Gateway"]!["Policies"]!["acme-orders"]!["TrustStore"] = "partner");

        var result = await GatewayCli.RunAsync("validate", "--config", folder.ConfigPath);

        result.ExitCode.Should().Be(1);
        result.StandardOutput.Should().Contain("Gateway:Policies:acme-orders:TrustStore: 'partner' is not a trust store; known: partners");
        result.Output.Should().NotContain("   at ", "user errors print no stack trace");
    }

    [Fact]
    public async Task Run_BadConfig_RefusesToStartWithTheSameMessages()
    {
        using var folder = new ConfigFolder((c, _) => c["Gateway"]!["Policies"]!["acme-orders"]!["TrustStore"] = "partner");

        var result = await GatewayCli.RunAsync("run", "--config", folder.ConfigPath);

        result.ExitCode.Should().Be(1);
        result.StandardError.Should().Contain("Gateway:Policies:acme-orders:TrustStore: 'partner' is not a trust store");
        result.Output.Should().NotContain("   at ");
    }

    [Fact]
    public async Task Run_AdminPortInUse_NamesTheAdminKey()
    {
        using var holder = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        holder.Start();
        var port = ((System.Net.IPEndPoint)holder.LocalEndpoint).Port;
        using var folder = new ConfigFolder((c, _) => c["Gateway"]!["Admin"] = new System.Text.Json.Nodes.JsonObject { ["Url"] = $"http://127.0.0.1:{port}" });

        var result = await GatewayCli.RunAsync("run", "--config", folder.ConfigPath);

        result.ExitCode.Should().Be(1, result.Output);
        result.StandardError.Should().Contain($"the admin endpoint's port {port}; change Gateway:Admin:Url");
        result.Output.Should().NotContain("   at ");
    }

    [Fact]
    public async Task Validate_MissingFile_ExitsOne()
    {
        var result = await GatewayCli.RunAsync("validate", "--config", "/nonexistent/gateway.json");

        result.ExitCode.Should().Be(1);
        result.StandardOutput.Should().Contain("configuration file does not exist");
    }

    [Fact]
    public async Task UnknownCommand_ExitsWithUsageError()
    {
        var result = await GatewayCli.RunAsync("frobnicate");

        result.ExitCode.Should().Be(2, "2 is a usage error; 1 means invalid or refused");
        result.Output.Should().Contain("frobnicate").And.Contain("mtls-gateway --help");
    }

    [Fact]
    public async Task UnknownOption_ExitsWithUsageError()
    {
        var result = await GatewayCli.RunAsync("validate", "--confg", "config/gateway.json");

        result.ExitCode.Should().Be(2);
        result.Output.Should().Contain("--confg");
    }

    [Fact]
    public async Task Version_PrintsTheVersion()
    {
        var result = await GatewayCli.RunAsync("--version");

        result.ExitCode.Should().Be(0, result.Output);
        result.StandardOutput.Trim().Should().Be("0.2.0");
    }

    [Fact]
    public async Task Help_ListsEveryCommand()
    {
        var result = await GatewayCli.RunAsync("--help");

        result.ExitCode.Should().Be(0);
        result.StandardOutput.Should().ContainAll("run", "validate", "check", "dev-certs");
    }

    [Theory]
    [InlineData("client", 0, "admitted")]
    [InlineData("client-spiffe", 0, "admitted")]
    [InlineData("client-expired", 1, "refused: Expired")]
    [InlineData("client-not-yet-valid", 1, "refused: NotYetValid")]
    [InlineData("client-revoked", 1, "refused: Revoked")]
    [InlineData("client-no-clientauth", 1, "refused: WrongUsage")]
    public void Check_MatrixCertificate_SaysVerdict(string certificate, int exitCode, string verdict)
    {
        using var folder = new ConfigFolder();
        using var output = new StringWriter();

        var code = CheckCommand.Execute(folder.ConfigPath, "acme-orders", folder.Pki(certificate + ".crt"), null, null, output);

        code.Should().Be(exitCode, output.ToString());
        output.ToString().Should().Contain(verdict);
        if (exitCode != 0)
        {
            output.ToString().Should().Contain("hint: ");
        }
    }

    [Fact]
    public void Check_At_UsesThatTime()
    {
        using var folder = new ConfigFolder();
        using var output = new StringWriter();

        var code = CheckCommand.Execute(folder.ConfigPath, "acme-orders", folder.Pki("client.crt"), null, DateTimeOffset.UtcNow.AddYears(20), output);

        code.Should().Be(1);
        output.ToString().Should().Contain("refused: Expired");
    }

    [Fact]
    public async Task Check_Process_ExitCodesAndUnknownPolicy()
    {
        using var folder = new ConfigFolder();

        var admitted = await GatewayCli.RunAsync("check", "--policy", "acme-orders", "--cert", folder.Pki("client.crt"), "--config", folder.ConfigPath);
        var refused = await GatewayCli.RunAsync("check", "--policy", "acme-orders", "--cert", folder.Pki("client-revoked.crt"), "--config", folder.ConfigPath);
        var unknown = await GatewayCli.RunAsync("check", "--policy", "nope", "--cert", folder.Pki("client.crt"), "--config", folder.ConfigPath);

        admitted.ExitCode.Should().Be(0, admitted.Output);
        refused.ExitCode.Should().Be(1, refused.Output);
        refused.StandardOutput.Should().Contain("refused: Revoked");
        unknown.ExitCode.Should().Be(2);
        unknown.StandardOutput.Should().Contain("'nope' is not a policy; known: acme-orders, open-status");
    }

    [Fact]
    public async Task DevCerts_WritesAPkiThatTheGatewayAccepts()
    {
        var folder = Path.Combine(Path.GetTempPath(), "mtlsgw-devcerts-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            var result = await GatewayCli.RunAsync("dev-certs", "--out", folder);

            result.ExitCode.Should().Be(0, result.Output);
            File.Exists(Path.Combine(folder, "client.crt")).Should().BeTrue();
            var verify = await ProcessRunner.RunAsync("openssl",
                ["verify", "-CAfile", Path.Combine(folder, "partners-root.crt"), "-untrusted", Path.Combine(folder, "partners-intermediate.crt"), "-purpose", "sslclient", Path.Combine(folder, "client.crt")],
                TimeSpan.FromSeconds(30));
            verify.ExitCode.Should().Be(0, verify.Output);
        }
        finally
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }
}
