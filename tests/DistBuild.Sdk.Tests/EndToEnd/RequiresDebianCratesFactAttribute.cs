namespace DistBuild.Sdk.Tests.EndToEnd;

/// <summary>A test that needs Debian's packaged crate sources (.ci/install-rust-crates.sh); skipped with the reason when absent.</summary>
public sealed class RequiresDebianCratesFactAttribute : FactAttribute
{
    public const string Registry = "/usr/share/cargo/registry";

    public RequiresDebianCratesFactAttribute()
    {
        if (!Directory.Exists(Registry))
            Skip = $"{Registry} is absent: run .ci/install-rust-crates.sh to install Debian's crate sources for samples/realistic";
    }
}
