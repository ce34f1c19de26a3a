namespace ExternalAction.TestSupport;

/// <summary>Paths of the files under <c>tests/fixtures</c>, copied beside the test assemblies.</summary>
public static class Fixtures
{
    public static string Root { get; } = Path.Combine(AppContext.BaseDirectory, "fixtures");

    public static string Adobe(string fileName) => Path.Combine(Root, "adobe", fileName);

    public static string AdobeOpenApi => Adobe("ajo-b2b-external-actions.yaml");
}
