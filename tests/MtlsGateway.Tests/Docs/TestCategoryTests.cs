using System.Reflection;
using System.Text.RegularExpressions;
using MtlsGateway.Tests.Support;

namespace MtlsGateway.Tests.Docs;

/// <summary>
/// README promises <c>dotnet test --filter Category=Unit</c> (fast, in-process) and <c>Category=EndToEnd</c> (real
/// gateways, processes, clients): every test class must say which it is, and a class marked Unit must not start
/// anything, or the fast run quietly becomes the slow one.
/// </summary>
[Trait("Category", "Unit")]
public sealed partial class TestCategoryTests
{
    private static readonly string[] Categories = ["Unit", "EndToEnd"];

    public static TheoryData<string> TestClasses()
    {
        var data = new TheoryData<string>();
        foreach (var type in typeof(TestCategoryTests).Assembly.GetTypes().Where(HasTests).OrderBy(t => t.FullName, StringComparer.Ordinal))
        {
            data.Add(type.FullName!);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(TestClasses))]
    public void EveryTestClass_HasExactlyOneCategory(string className)
    {
        var type = typeof(TestCategoryTests).Assembly.GetType(className)!;
        // xunit 2's TraitAttribute keeps its name and value only as constructor arguments.
        var categories = type.GetCustomAttributesData()
            .Where(a => a.AttributeType == typeof(TraitAttribute) && (string?)a.ConstructorArguments[0].Value == "Category")
            .Select(a => (string?)a.ConstructorArguments[1].Value)
            .ToList();

        categories.Should().ContainSingle($"{className} needs [Trait(\"Category\", \"Unit\")] or [Trait(\"Category\", \"EndToEnd\")]")
            .Which.Should().BeOneOf(Categories);
    }

    [Fact]
    public void UnitClasses_StartNoGatewayProcessOrListener()
    {
        var offenders = new List<string>();
        foreach (var file in Directory.EnumerateFiles(RepositoryPaths.Combine("tests", "MtlsGateway.Tests"), "*.cs", SearchOption.AllDirectories))
        {
            if (file.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal) || file.EndsWith(nameof(TestCategoryTests) + ".cs", StringComparison.Ordinal))
            {
                continue;
            }

            var text = File.ReadAllText(file);
            if (!text.Contains("[Trait(\"Category\", \"Unit\")]", StringComparison.Ordinal))
            {
                continue;
            }

            offenders.AddRange(RealPart().Matches(text).Select(m => $"{Path.GetRelativePath(RepositoryPaths.Root, file)}: {m.Value}").Distinct());
        }

        offenders.Should().BeEmpty("a Unit test runs in-process only; mark the class EndToEnd when it starts a gateway, a process or a listener");
    }

    private static bool HasTests(Type type) =>
        !type.IsAbstract && type.GetMethods(BindingFlags.Instance | BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic)
            .Any(m => m.GetCustomAttributes<FactAttribute>().Any());

    [GeneratedRegex(@"\b(GatewayInstance|GatewayTestHost|GatewayCli|LoopbackApp|ProcessRunner|TlsProbe|HeldConnections|CrlDistributionServer|OpensslOcspResponder|OtlpReceiver|WebApplication|TcpListener|Process\.Start)\b")]
    private static partial Regex RealPart();
}
