namespace DistBuild.Cli.Output;

/// <summary>Plain-text tables with columns padded to their widest cell, readable in any terminal or log.</summary>
public static class TableWriter
{
    private const string Gap = "  ";

    public static void Write(TextWriter writer, IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows)
    {
        var table = rows.Select(row => row.Select(Clean).ToList()).ToList();
        var widths = headers.Select((header, column) => table.Select(row => row[column].Length).Append(header.Length).Max()).ToList();
        WriteRow(writer, headers, widths);
        foreach (var row in table)
            WriteRow(writer, row, widths);
    }

    /// <summary>`Label:  value` lines with the values aligned; a multi-line value continues indented below.</summary>
    public static void WriteFields(TextWriter writer, IReadOnlyList<(string Label, string Value)> fields)
    {
        var width = fields.Max(field => field.Label.Length) + 1;
        foreach (var (label, value) in fields)
        {
            var lines = value.TrimEnd().Split('\n');
            if (lines.Length == 1)
            {
                writer.WriteLine((label + ":").PadRight(width) + Gap + lines[0].TrimEnd('\r'));
                continue;
            }
            writer.WriteLine(label + ":");
            foreach (var line in lines)
                writer.WriteLine("    " + line.TrimEnd('\r'));
        }
    }

    private static void WriteRow(TextWriter writer, IReadOnlyList<string> cells, IReadOnlyList<int> widths)
    {
        // The last column is not padded, so lines carry no trailing blanks.
        var padded = cells.Select((cell, column) => column == cells.Count - 1 ? cell : cell.PadRight(widths[column]));
        writer.WriteLine(string.Join(Gap, padded).TrimEnd());
    }

    /// <summary>A cell is one line: a newline inside would break the columns.</summary>
    private static string Clean(string cell) => cell.ReplaceLineEndings(" ");
}
