using MtlsGateway.Cli;
using MtlsGateway.Tests.Support;

namespace MtlsGateway.Tests.Cli;

/// <summary>The command line as ops use it: exit codes and what it prints.</summary>
[Trait("Category", "EndToEnd")]
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
    public async Task Run_RouteYarpRejects_PrintsItsPathAndExitsOne()
    {
        using var folder = new ConfigFolder((c, _) => c["ReverseProxy"]!["Routes"]!["orders"]!["Transforms"] =
            new System.Text.Json.Nodes.JsonArray(new System.Text.Json.Nodes.JsonObject { ["RequestHeaderFrob"] = "x" }));

        var validate = await GatewayCli.RunAsync("validate", "--config", folder.ConfigPath);
        var run = await GatewayCli.RunAsync("run", "--config", folder.ConfigPath);

        validate.ExitCode.Should().Be(1, validate.Output);
        validate.StandardOutput.Should().Contain("ReverseProxy:Routes:orders:Transforms: Unknown transform: RequestHeaderFrob");
        run.ExitCode.Should().Be(1, run.Output);
        run.StandardError.Should().Contain("ReverseProxy:Routes:orders:Transforms: Unknown transform: RequestHeaderFrob");
        run.Output.Should().NotContain("   at ", "a configuration error prints no stack trace");
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

    private static ConfigFolder RootOnlyFolder(params string[] crlFiles) => new((c, _) =>
    {
        var store = c["Gateway"]!["TrustStores"]!["partners"]!;
        store["CaFiles"] = new System.Text.Json.Nodes.JsonArray("pki/partners-root.crt");
        store["CrlFiles"] = new System.Text.Json.Nodes.JsonArray([.. crlFiles.Select(f => System.Text.Json.Nodes.JsonValue.Create(f))]);
    });

    [Fact]
    public void Validate_RootOnlyStoreWithBothCrls_ListsWhoseEachCrlIsAndWarnsNothing()
    {
        using var folder = RootOnlyFolder("pki/partners-root.crl", "pki/partners.crl");
        using var output = new StringWriter();

        var code = ValidateCommand.Execute(folder.ConfigPath, output);

        code.Should().Be(0, output.ToString());
        var lines = output.ToString().Split('\n', StringSplitOptions.TrimEntries);
        lines.Should().Contain("trust store 'partners' (Revocation Offline): 2 CRL(s)");
        lines.Should().Contain(l => l.StartsWith("CRL pki/partners-root.crl: issuer CN=MtlsGateway Dev Partners Root CA", StringComparison.Ordinal)
            && l.Contains(", bound to CA CN=MtlsGateway Dev Partners Root CA", StringComparison.Ordinal) && l.Contains("of the store; thisUpdate ", StringComparison.Ordinal));
        lines.Should().Contain(l => l.StartsWith("CRL pki/partners.crl: issuer CN=MtlsGateway Dev Partners Issuing CA", StringComparison.Ordinal)
            && l.Contains("not a CA of the store: waits for a presented issuer", StringComparison.Ordinal) && l.EndsWith(", 1 revoked", StringComparison.Ordinal));
        output.ToString().Should().NotContain("warning");
    }

    [Fact]
    public void Validate_RootOnlyStoreWithoutTheIssuingCasCrl_WarnsExitsZeroAndCheckAgrees()
    {
        using var folder = RootOnlyFolder("pki/partners-root.crl");
        using var output = new StringWriter();
        using var checkOutput = new StringWriter();

        var code = ValidateCommand.Execute(folder.ConfigPath, output);
        var check = CheckCommand.Execute(folder.ConfigPath, "acme-orders", folder.Pki("client.crt"), null, null, checkOutput);

        code.Should().Be(0, output.ToString());
        output.ToString().Should().Contain("valid (").And.Contain(", 1 warning(s)")
            .And.Contain("warning: Gateway:TrustStores:partners:CrlFiles: CaFiles holds only root CAs and CrlFiles only their CRLs: if clients send their issuing CA, the certificates it issues will get RevocationUnknown and be refused; add the CRL of each issuing CA the clients send to CrlFiles");
        check.Should().Be(1);
        checkOutput.ToString().Should().Contain("refused: RevocationUnknown").And.Contain("add that CA's CRL to CrlFiles");
    }

    [Fact]
    public void Validate_OfflineStoreCaWithoutCrl_WarnsThatItsCertificatesGetRevocationUnknown()
    {
        using var folder = new ConfigFolder((c, _) => c["Gateway"]!["TrustStores"]!["partners"]!["CrlFiles"] = new System.Text.Json.Nodes.JsonArray("pki/partners-root.crl"));
        using var output = new StringWriter();

        var code = ValidateCommand.Execute(folder.ConfigPath, output);

        code.Should().Be(0, output.ToString());
        output.ToString().Should().Contain("warning: Gateway:TrustStores:partners:CrlFiles: certificates issued by CN=MtlsGateway Dev Partners Issuing CA")
            .And.Contain("will get RevocationUnknown and be refused: Revocation is Offline and CrlFiles holds no CRL of that CA; add its CRL to CrlFiles, or set Revocation to None (or Online)");
    }

    [Fact]
    public void Validate_MissingCaFile_IsTheOnlyError()
    {
        using var folder = new ConfigFolder((c, _) => c["Gateway"]!["TrustStores"]!["partners"]!["CaFiles"] = new System.Text.Json.Nodes.JsonArray("pki/missing-root.crt", "pki/partners-intermediate.crt"));
        using var output = new StringWriter();

        var code = ValidateCommand.Execute(folder.ConfigPath, output);

        code.Should().Be(1);
        output.ToString().Should().Contain(": 1 error(s)").And.Contain("Gateway:TrustStores:partners:CaFiles:0: file 'pki/missing-root.crt' does not exist");
    }

    [Fact]
    public void Validate_IntermediateOnlyStore_ErrorNamesAllowPartialChainAndSettingItValidates()
    {
        using var folder = new ConfigFolder((c, _) =>
        {
            c["Gateway"]!["TrustStores"]!["partners"]!["CaFiles"] = new System.Text.Json.Nodes.JsonArray("pki/partners-intermediate.crt");
            c["Gateway"]!["TrustStores"]!["partners"]!["CrlFiles"] = new System.Text.Json.Nodes.JsonArray("pki/partners.crl");
        });
        using var refused = new StringWriter();
        using var accepted = new StringWriter();
        using var checkOutput = new StringWriter();

        var refusedCode = ValidateCommand.Execute(folder.ConfigPath, refused);
        var config = (System.Text.Json.Nodes.JsonObject)System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(folder.ConfigPath))!;
        config["Gateway"]!["TrustStores"]!["partners"]!["AllowPartialChain"] = true;
        folder.Write(config);
        var acceptedCode = ValidateCommand.Execute(folder.ConfigPath, accepted);
        var check = CheckCommand.Execute(folder.ConfigPath, "acme-orders", folder.Pki("client.crt"), null, null, checkOutput);

        refusedCode.Should().Be(1);
        refused.ToString().Should().Contain("or set AllowPartialChain to true");
        acceptedCode.Should().Be(0, accepted.ToString());
        check.Should().Be(0, checkOutput.ToString());
    }

    [Fact]
    public void Check_ShowsWhichCrlDecidedEachCertificateAndItsAge()
    {
        using var folder = RootOnlyFolder("pki/partners-root.crl", "pki/partners.crl");
        using var output = new StringWriter();

        var code = CheckCommand.Execute(folder.ConfigPath, "acme-orders", folder.Pki("client.crt"), null, null, output);

        code.Should().Be(0, output.ToString());
        var lines = output.ToString().Split('\n', StringSplitOptions.TrimEntries);
        lines.Should().Contain(l => l.StartsWith("revocation of CN=acme-orders-client", StringComparison.Ordinal)
            && l.Contains(": not listed in CRL pki/partners.crl of CN=MtlsGateway Dev Partners Issuing CA", StringComparison.Ordinal)
            && l.Contains(", issued 1 hour ago (", StringComparison.Ordinal) && l.Contains("), next update in ", StringComparison.Ordinal));
        lines.Should().Contain(l => l.StartsWith("revocation of CN=MtlsGateway Dev Partners Issuing CA", StringComparison.Ordinal)
            && l.Contains(": not listed in CRL pki/partners-root.crl of CN=MtlsGateway Dev Partners Root CA", StringComparison.Ordinal));
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
