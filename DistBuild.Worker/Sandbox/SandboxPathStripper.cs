using System.Text;

namespace DistBuild.Worker.Sandbox;

/// <summary>
/// Maps sandbox paths back to the client's by removing the sandbox root: in `.d` dep-info files (cargo's
/// freshness check reads them) and in rustc's output (its JSON `artifact` messages name the files it wrote).
/// </summary>
public sealed class SandboxPathStripper(string root)
{
    private readonly byte[] _prefix = Encoding.UTF8.GetBytes(root.TrimEnd('/') + "/");

    /// <summary>The text with every `ROOT/` replaced by `/`; the same array when nothing matched.</summary>
    public byte[] Strip(byte[] content)
    {
        var span = content.AsSpan();
        var first = span.IndexOf(_prefix);
        if (first < 0)
            return content;
        using var output = new MemoryStream(content.Length);
        while (true)
        {
            var index = span.IndexOf(_prefix);
            if (index < 0)
            {
                output.Write(span);
                break;
            }
            output.Write(span[..index]);
            output.WriteByte((byte)'/');
            span = span[(index + _prefix.Length)..];
        }
        return output.ToArray();
    }

    /// <summary>Whether a file is rustc's dep-info, which names sandbox paths and must be rewritten before upload.</summary>
    public static bool IsDepInfo(string path) => path.EndsWith(".d", StringComparison.Ordinal);
}
