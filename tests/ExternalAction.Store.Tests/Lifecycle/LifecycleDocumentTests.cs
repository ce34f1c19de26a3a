using System.Text;
using System.Text.RegularExpressions;
using ExternalAction.Store.Lifecycle;
using ExternalAction.TestSupport;

namespace ExternalAction.Store.Tests.Lifecycle;

/// <summary>
/// <c>docs/architecture.md</c> shows the lifecycle table as a Mermaid state diagram and a table of moves, rendered here
/// from <see cref="RequestLifecycle.Transitions"/>; the test fails when the committed text differs, so the document
/// cannot drift from what the store enforces. <c>EXTERNALACTION_UPDATE_DOCS=1</c> rewrites the section instead.
/// </summary>
public sealed partial class LifecycleDocumentTests
{
    public const string UpdateVariable = "EXTERNALACTION_UPDATE_DOCS";
    private const string Begin = "<!-- lifecycle:begin (generated from src/Store/Lifecycle/RequestLifecycle.cs by LifecycleDocumentTests; EXTERNALACTION_UPDATE_DOCS=1 rewrites it) -->";
    private const string End = "<!-- lifecycle:end -->";

    [Test]
    public void The_architecture_document_shows_the_lifecycle_table_as_it_is()
    {
        var path = Path.Combine(RabbitVirtualHost.RepositoryRoot(), "docs", "architecture.md");
        var document = File.ReadAllText(path).ReplaceLineEndings("\n");
        var begin = document.IndexOf(Begin, StringComparison.Ordinal);
        var end = document.IndexOf(End, StringComparison.Ordinal);
        Assert.That(begin >= 0 && end > begin, Is.True, $"docs/architecture.md has no section between {Begin} and {End}");

        var committed = document[(begin + Begin.Length)..end];
        var rendered = Render();
        if (Environment.GetEnvironmentVariable(UpdateVariable) == "1" && committed != rendered)
        {
            File.WriteAllText(path, document[..(begin + Begin.Length)] + rendered + document[end..]);
            committed = rendered;
        }
        Assert.That(committed, Is.EqualTo(rendered),
            $"docs/architecture.md's lifecycle differs from RequestLifecycle.Transitions; run the Store tests with {UpdateVariable}=1 to rewrite it");
    }

    /// <summary>The section between the markers: the diagram, the table of moves and the final states.</summary>
    internal static string Render()
    {
        var text = new StringBuilder("\n```mermaid\nstateDiagram-v2\n");
        foreach (var edge in RequestLifecycle.Transitions.GroupBy(t => (t.From, t.To)))
            text.Append($"    {State(edge.Key.From)} --> {edge.Key.To}: {string.Join(", ", edge.Select(Who))}\n");
        foreach (var final in RequestLifecycle.Final)
            text.Append($"    {final} --> [*]\n");
        text.Append("```\n\n| From | To | Moved by | Through | When |\n| --- | --- | --- | --- | --- |\n");
        foreach (var t in RequestLifecycle.Transitions)
            text.Append($"| {t.From?.ToString() ?? "(no row)"} | {t.To} | {Who(t)} | `StatusStore.{RequestLifecycle.StoreCall(t.By)}` | {t.When} |\n");
        text.Append($"\nFinal states (no engine move leaves them; the retention purge touches rows in these only): {string.Join(", ", RequestLifecycle.Final.Select(s => $"`{s}`"))}. ");
        text.Append($"An operator's replay leaves {string.Join(" and ", RequestLifecycle.Replayable.Select(s => $"`{s}`"))} for `{RequestLifecycle.ReplayedTo}`.\n");
        return text.ToString();
    }

    private static string State(RequestStatus? status) => status?.ToString() ?? "[*]";

    private static string Who(Transition t) =>
        Words().Replace(t.By.ToString(), " $1").Trim().ToLowerInvariant() + (t.AfterLeaseExpiry ? " after the lease ran out" : "");

    [GeneratedRegex("([A-Z])")]
    private static partial Regex Words();
}
