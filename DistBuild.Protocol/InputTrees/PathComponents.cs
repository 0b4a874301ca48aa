namespace DistBuild.Protocol.InputTrees;

/// <summary>Rules for the names inside an input tree: single components, never empty, ".", ".." or containing '/'.</summary>
public static class PathComponents
{
    public static string[] Split(string relativePath)
    {
        if (relativePath.StartsWith('/'))
            throw new ArgumentException($"'{relativePath}' must be relative to the input root");
        var components = relativePath.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (components.Length == 0)
            throw new ArgumentException("an input path is empty");
        foreach (var component in components)
        {
            if (ValidateName(component) is { } error)
                throw new ArgumentException($"'{relativePath}': {error}");
        }
        return components;
    }

    /// <summary>Null when the name is a valid single path component, else why not.</summary>
    public static string? ValidateName(string name) => name switch
    {
        "" => "a name is empty",
        "." or ".." => $"the name '{name}' is not allowed",
        _ when name.Contains('/') => $"the name '{name}' contains '/'",
        _ when name.Contains('\0') => "a name contains a NUL character",
        _ => null,
    };
}
