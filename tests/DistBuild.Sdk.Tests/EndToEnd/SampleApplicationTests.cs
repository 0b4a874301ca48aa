namespace DistBuild.Sdk.Tests.EndToEnd;

/// <summary>The PInvokeApp and RealisticApp samples, built through the packed SDK and run.</summary>
[Collection(SdkPackageCollection.Name)]
public sealed class SampleApplicationTests(SdkPackageFixture sdk)
{
    [Fact]
    public async Task CSharp_app_calls_the_rust_cdylib_built_in_the_same_dotnet_build()
    {
        var samples = sdk.CopySamples(nameof(CSharp_app_calls_the_rust_cdylib_built_in_the_same_dotnet_build));

        (await sdk.BuildAsync(Path.Combine(samples, "PInvokeApp", "PInvokeApp.csproj"))).ShouldSucceed("PInvokeApp build");

        var output = Path.Combine(samples, "PInvokeApp", "bin", "Debug", "net10.0");
        Assert.True(File.Exists(Path.Combine(output, "libnative_lib.so")), "libnative_lib.so is not in the output directory");
        var run = (await Command.RunAsync("dotnet", [Path.Combine(output, "PInvokeApp.dll")], samples, TimeSpan.FromSeconds(60)))
            .ShouldSucceed("PInvokeApp");
        Assert.Equal("42 hello from native-lib 000100", run.Output.Trim());
    }

    [RequiresDebianCratesFact]
    public async Task Realistic_workspace_with_registry_crates_builds_and_its_binary_runs()
    {
        var samples = sdk.CopySamples(nameof(Realistic_workspace_with_registry_crates_builds_and_its_binary_runs));
        var project = Path.Combine(samples, "RealisticApp", "RealisticApp.proj");

        (await sdk.BuildAsync(project)).ShouldSucceed("RealisticApp build");

        var report = BuildReportFile.Read(Path.GetDirectoryName(project)!);
        Assert.True(report.Invocations.Count >= 30, $"only {report.Invocations.Count} rustc invocations");
        var run = (await Command.RunAsync(Path.Combine(samples, "RealisticApp", "bin", "Debug", "net10.0", "realistic"), [], samples, TimeSpan.FromSeconds(30)))
            .ShouldSucceed("realistic");
        Assert.Equal("""realistic: {"words":58,"unique":32,"top":["is:6","a:5","of:4"],"pick":"is","roll":69}""", run.Output.Trim());
    }
}
