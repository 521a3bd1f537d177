using System.Security.Cryptography.X509Certificates;
using MtlsGateway.Diagnostics;
using MtlsGateway.Identity;

namespace MtlsGateway.Tests.Identity;

[Trait("Category", "Unit")]
public sealed class ChainStatusMapperTests
{
    [Theory]
    [InlineData(X509ChainStatusFlags.UntrustedRoot, RejectReason.UntrustedIssuer)]
    [InlineData(X509ChainStatusFlags.ExplicitDistrust, RejectReason.UntrustedIssuer)]
    [InlineData(X509ChainStatusFlags.PartialChain, RejectReason.PartialChain)]
    [InlineData(X509ChainStatusFlags.Cyclic, RejectReason.UntrustedIssuer)]
    [InlineData(X509ChainStatusFlags.InvalidBasicConstraints, RejectReason.UntrustedIssuer)]
    [InlineData(X509ChainStatusFlags.InvalidNameConstraints, RejectReason.UntrustedIssuer)]
    [InlineData(X509ChainStatusFlags.HasNotSupportedNameConstraint, RejectReason.UntrustedIssuer)]
    [InlineData(X509ChainStatusFlags.HasNotDefinedNameConstraint, RejectReason.UntrustedIssuer)]
    [InlineData(X509ChainStatusFlags.HasNotPermittedNameConstraint, RejectReason.UntrustedIssuer)]
    [InlineData(X509ChainStatusFlags.HasExcludedNameConstraint, RejectReason.UntrustedIssuer)]
    [InlineData(X509ChainStatusFlags.InvalidPolicyConstraints, RejectReason.UntrustedIssuer)]
    [InlineData(X509ChainStatusFlags.NoIssuanceChainPolicy, RejectReason.UntrustedIssuer)]
    [InlineData(X509ChainStatusFlags.NotTimeValid, RejectReason.Expired)]
    [InlineData(X509ChainStatusFlags.NotTimeNested, RejectReason.Expired)]
    [InlineData(X509ChainStatusFlags.CtlNotTimeValid, RejectReason.Expired)]
    [InlineData(X509ChainStatusFlags.Revoked, RejectReason.Revoked)]
    [InlineData(X509ChainStatusFlags.RevocationStatusUnknown, RejectReason.RevocationUnknown)]
    [InlineData(X509ChainStatusFlags.OfflineRevocation, RejectReason.RevocationUnknown)]
    [InlineData(X509ChainStatusFlags.NotValidForUsage, RejectReason.WrongUsage)]
    [InlineData(X509ChainStatusFlags.CtlNotValidForUsage, RejectReason.WrongUsage)]
    [InlineData(X509ChainStatusFlags.InvalidExtension, RejectReason.WrongUsage)]
    [InlineData(X509ChainStatusFlags.HasNotSupportedCriticalExtension, RejectReason.WrongUsage)]
    [InlineData(X509ChainStatusFlags.NotSignatureValid, RejectReason.BadSignature)]
    [InlineData(X509ChainStatusFlags.CtlNotSignatureValid, RejectReason.BadSignature)]
    [InlineData(X509ChainStatusFlags.HasWeakSignature, RejectReason.BadSignature)]
    public void Map_EachFlag_GivesItsReason(X509ChainStatusFlags flag, RejectReason reason) =>
        ChainStatusMapper.Map(flag).Should().Be(reason);

    [Fact]
    public void Map_NoError_IsNull() => ChainStatusMapper.Map(X509ChainStatusFlags.NoError).Should().BeNull();

    [Fact]
    public void Table_CoversEveryPlatformFlag()
    {
        var all = Enum.GetValues<X509ChainStatusFlags>().Aggregate(X509ChainStatusFlags.NoError, (a, f) => a | f);
        var mapped = Enum.GetValues<RejectReason>().Aggregate(X509ChainStatusFlags.NoError, (a, r) => a | ChainStatusMapper.FlagsFor(r));

        mapped.Should().Be(all);
    }

    [Theory]
    [InlineData(X509ChainStatusFlags.NotTimeValid | X509ChainStatusFlags.PartialChain, RejectReason.PartialChain)]
    [InlineData(X509ChainStatusFlags.NotValidForUsage | X509ChainStatusFlags.NotTimeValid, RejectReason.Expired)]
    [InlineData(X509ChainStatusFlags.NotSignatureValid | X509ChainStatusFlags.UntrustedRoot, RejectReason.BadSignature)]
    [InlineData(X509ChainStatusFlags.Revoked | X509ChainStatusFlags.NotValidForUsage, RejectReason.Revoked)]
    [InlineData(X509ChainStatusFlags.RevocationStatusUnknown | X509ChainStatusFlags.OfflineRevocation, RejectReason.RevocationUnknown)]
    public void Classify_SeveralFlags_PicksTheMostFundamental(X509ChainStatusFlags flags, RejectReason reason) =>
        ChainStatusMapper.Classify(flags).Should().Be(reason);

    [Fact]
    public void Classify_NoError_IsNull() => ChainStatusMapper.Classify(X509ChainStatusFlags.NoError).Should().BeNull();

    [Fact]
    public void Describe_Flags_AreCommaSeparatedNames() =>
        ChainStatusMapper.Describe(X509ChainStatusFlags.PartialChain | X509ChainStatusFlags.NotTimeValid).Should().Be("NotTimeValid,PartialChain");
}
