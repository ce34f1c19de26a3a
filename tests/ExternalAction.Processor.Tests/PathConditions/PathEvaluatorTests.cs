using System.Text.Json.Nodes;
using ExternalAction.Contracts.Platform;
using ExternalAction.Contracts.ServiceDefinitions;
using ExternalAction.Processor.PathConditions;

namespace ExternalAction.Processor.Tests.PathConditions;

/// <summary>Every operator × data type, AND/OR, defaults, missing accessors and malformed values (semantics in docs/path-conditions.md).</summary>
public sealed class PathEvaluatorTests
{
    private static readonly AccessorMetadata[] Metadata =
    [
        new() { AccessorName = "s", DataType = DataTypes.String },
        new() { AccessorName = "i", DataType = DataTypes.Integer },
        new() { AccessorName = "f", DataType = DataTypes.Float },
        new() { AccessorName = "b", DataType = DataTypes.Boolean },
        new() { AccessorName = "d", DataType = DataTypes.Date },
        new() { AccessorName = "t", DataType = DataTypes.DateTime },
        new() { AccessorName = "nothing", DataType = DataTypes.String },
        new() { AccessorName = "badInt", DataType = DataTypes.Integer },
        new() { AccessorName = "badDate", DataType = DataTypes.Date },
        new() { AccessorName = "numberForString", DataType = DataTypes.String },
        new() { AccessorName = "intAsText", DataType = DataTypes.Integer },
    ];

    private static JsonObject Values() => new()
    {
        ["s"] = "Enterprise Gold",
        ["i"] = 80,
        ["f"] = 0.75,
        ["b"] = true,
        ["d"] = "2026-03-15",
        ["t"] = "2026-03-15T10:00:00Z",
        ["nothing"] = null,
        ["badInt"] = "lots",
        ["badDate"] = "15/03/2026",
        ["numberForString"] = 5,
        ["intAsText"] = "80",
        ["undeclaredNumber"] = 5,
        ["undeclaredText"] = "Blue",
    };

    /// <summary>(accessor, operator, values, whether the one condition holds against <see cref="Values"/>).</summary>
    public static IEnumerable<TestCaseData> SingleConditions()
    {
        (string, string, string?[], bool)[] rows =
        [
            // string: is/isNot ordinal ignore-case, OR over values, complement for isNot.
            ("s", "is", ["Enterprise Gold"], true), ("s", "is", ["enterprise gold"], true), ("s", "is", ["ENTERPRISE GOLD"], true),
            ("s", "is", ["Silver", "Enterprise Gold"], true), ("s", "is", ["Silver"], false), ("s", "is", ["Enterprise"], false),
            ("s", "is", [" Enterprise Gold"], false), ("s", "is", [""], false),
            ("s", "isNot", ["Silver"], true), ("s", "isNot", ["Silver", "ENTERPRISE GOLD"], false), ("s", "isNot", ["Silver", "Bronze"], true),
            // string: contains/notContains substring ignore-case.
            ("s", "contains", ["Gold"], true), ("s", "contains", ["gold"], true), ("s", "contains", ["Platinum", "Gold"], true),
            ("s", "contains", ["Platinum"], false), ("s", "contains", ["prise g"], true), ("s", "contains", [""], true),
            ("s", "notContains", ["Platinum"], true), ("s", "notContains", ["Platinum", "gold"], false), ("s", "notContains", ["GOLD"], false),
            // string: ordering never applies.
            ("s", "greaterThan", ["A"], false), ("s", "lessThan", ["Z"], false), ("s", "greaterThanOrEqual", ["A"], false), ("s", "lessThanOrEqual", ["Z"], false),
            // integer: numeric, decimal comparison, floats in condition values.
            ("i", "is", ["80"], true), ("i", "is", ["80.0"], true), ("i", "is", ["8e1"], true), ("i", "is", [" 80 "], true),
            ("i", "is", ["79", "80"], true), ("i", "is", ["81"], false), ("i", "is", ["80.5"], false),
            ("i", "isNot", ["81"], true), ("i", "isNot", ["80"], false), ("i", "isNot", ["79", "81"], true), ("i", "isNot", ["79", "80"], false),
            ("i", "greaterThan", ["79"], true), ("i", "greaterThan", ["80"], false), ("i", "greaterThan", ["79.5"], true), ("i", "greaterThan", ["-1"], true),
            ("i", "greaterThanOrEqual", ["80"], true), ("i", "greaterThanOrEqual", ["81"], false), ("i", "greaterThanOrEqual", ["80.0001"], false),
            ("i", "lessThan", ["81"], true), ("i", "lessThan", ["80"], false), ("i", "lessThan", ["80.5"], true),
            ("i", "lessThanOrEqual", ["80"], true), ("i", "lessThanOrEqual", ["79"], false), ("i", "lessThanOrEqual", ["79.99"], false),
            ("i", "contains", ["8"], false), ("i", "notContains", ["9"], false),
            // integer: a malformed condition value makes the condition false, negations included.
            ("i", "greaterThan", ["eighty"], false), ("i", "is", ["eighty"], false), ("i", "isNot", ["eighty"], false),
            ("i", "isNot", ["81", "eighty"], false), ("i", "is", ["80", "eighty"], false), ("i", "lessThan", ["1,000"], false),
            ("i", "is", ["0x50"], false), ("i", "is", [null], false),
            // float: same rules; integer values compare with it.
            ("f", "is", ["0.75"], true), ("f", "is", [".75"], true), ("f", "is", ["0.750"], true), ("f", "is", ["7.5e-1"], true),
            ("f", "isNot", ["0.5"], true), ("f", "isNot", ["0.75"], false), ("f", "isNot", ["abc"], false),
            ("f", "greaterThan", ["0.7"], true), ("f", "greaterThan", ["0.75"], false), ("f", "greaterThan", ["0"], true),
            ("f", "greaterThanOrEqual", ["0.75"], true), ("f", "greaterThanOrEqual", ["1"], false),
            ("f", "lessThan", ["1"], true), ("f", "lessThan", ["0.75"], false), ("f", "lessThan", ["1e0"], true),
            ("f", "lessThanOrEqual", ["0.75"], true), ("f", "lessThanOrEqual", ["0.7"], false), ("f", "lessThan", ["NaN"], false),
            ("f", "contains", ["7"], false), ("f", "notContains", ["9"], false),
            // boolean: equality only, "true"/"false" in any case.
            ("b", "is", ["true"], true), ("b", "is", ["True"], true), ("b", "is", ["TRUE"], true), ("b", "is", ["false"], false),
            ("b", "is", ["false", "true"], true), ("b", "is", ["yes"], false), ("b", "is", ["1"], false),
            ("b", "isNot", ["false"], true), ("b", "isNot", ["true"], false), ("b", "isNot", ["false", "true"], false), ("b", "isNot", ["yes"], false),
            ("b", "greaterThan", ["false"], false), ("b", "greaterThanOrEqual", ["true"], false), ("b", "lessThan", ["true"], false),
            ("b", "lessThanOrEqual", ["true"], false), ("b", "contains", ["true"], false), ("b", "notContains", ["x"], false),
            // date: chronological; a date-time condition value counts by its written date.
            ("d", "is", ["2026-03-15"], true), ("d", "is", ["2026-03-16"], false), ("d", "is", ["2026-03-14", "2026-03-15"], true),
            ("d", "is", ["2026-03-15T23:30:00-05:00"], true), ("d", "isNot", ["2026-03-16"], true), ("d", "isNot", ["2026-03-15"], false),
            ("d", "isNot", ["15/03/2026"], false), ("d", "greaterThan", ["2026-03-14"], true), ("d", "greaterThan", ["2026-03-15"], false),
            ("d", "greaterThan", ["2025-12-31"], true), ("d", "greaterThanOrEqual", ["2026-03-15"], true), ("d", "greaterThanOrEqual", ["2026-03-16"], false),
            ("d", "lessThan", ["2026-04-01"], true), ("d", "lessThan", ["2026-03-15"], false), ("d", "lessThanOrEqual", ["2026-03-15"], true),
            ("d", "lessThanOrEqual", ["2026-03-14"], false), ("d", "lessThan", ["not a date"], false), ("d", "is", ["2026-02-30"], false),
            ("d", "contains", ["03"], false), ("d", "notContains", ["x"], false),
            // datetime: instants, offsets honoured; no offset = UTC; a bare date = midnight UTC.
            ("t", "is", ["2026-03-15T10:00:00Z"], true), ("t", "is", ["2026-03-15T12:00:00+02:00"], true), ("t", "is", ["2026-03-15t10:00:00z"], true),
            ("t", "is", ["2026-03-15T10:00:00"], true), ("t", "is", ["2026-03-15T10:00:00.000Z"], true), ("t", "is", ["2026-03-15"], false),
            ("t", "isNot", ["2026-03-15T10:00:01Z"], true), ("t", "isNot", ["2026-03-15T11:00:00+01:00"], false), ("t", "isNot", ["yesterday"], false),
            ("t", "greaterThan", ["2026-03-15T09:59:59Z"], true), ("t", "greaterThan", ["2026-03-15T10:00:00Z"], false), ("t", "greaterThan", ["2026-03-15"], true),
            ("t", "greaterThan", ["2026-03-15T10:30:00+01:00"], true), ("t", "greaterThanOrEqual", ["2026-03-15T10:00:00Z"], true),
            ("t", "greaterThanOrEqual", ["2026-03-15T10:00:00-00:01"], false), ("t", "lessThan", ["2026-03-15T10:00:01Z"], true),
            ("t", "lessThan", ["2026-03-15T10:00"], false), ("t", "lessThanOrEqual", ["2026-03-15T09:00:00Z"], false),
            ("t", "lessThanOrEqual", ["2026-03-16"], true), ("t", "greaterThan", ["garbage"], false), ("t", "lessThan", ["03/16/2026"], false),
            ("t", "contains", ["10"], false), ("t", "notContains", ["x"], false),
            // Missing, null and malformed accessor values match nothing, not even the negations.
            ("missing", "is", ["x"], false), ("missing", "isNot", ["x"], false), ("missing", "notContains", ["x"], false),
            ("nothing", "isNot", ["x"], false), ("nothing", "notContains", ["x"], false),
            ("badInt", "isNot", ["5"], false), ("badInt", "lessThan", ["5"], false), ("badDate", "isNot", ["2026-03-15"], false),
            ("numberForString", "is", ["5"], false), ("numberForString", "isNot", ["6"], false),
            // A numeric string for an integer accessor reads as its number (the accessor check accepts it too).
            ("intAsText", "is", ["80"], true), ("intAsText", "greaterThan", ["79"], true),
            // Accessors accessorsMetadata does not declare are typed by their JSON value.
            ("undeclaredNumber", "greaterThan", ["4"], true), ("undeclaredNumber", "is", ["5.0"], true), ("undeclaredText", "is", ["blue"], true),
            // An operator outside the platform's list never matches.
            ("s", "startsWith", ["Enter"], false), ("i", "equals", ["80"], false),
        ];
        foreach (var (accessor, op, values, expected) in rows)
            yield return new TestCaseData(accessor, op, values, expected)
                .SetName($"{accessor} {op} [{string.Join(",", values.Select(v => v ?? "null"))}] is {expected}");
    }

    [TestCaseSource(nameof(SingleConditions))]
    public void A_single_condition(string accessor, string op, string?[] values, bool expected)
    {
        var paths = new List<PathConfig>
        {
            new() { PathId = "match", PathDefinition = [new PathCondition { Accessor = accessor, Operator = op, Values = [.. values] }] },
            new() { PathId = "default", PathDefinition = [] },
        };
        Assert.That(PathEvaluator.Select(paths, Values(), Metadata).PathId, Is.EqualTo(expected ? "match" : "default"));
    }

    /// <summary>Whole path lists: (name, paths, the pathId expected, null when none).</summary>
    public static IEnumerable<TestCaseData> PathLists()
    {
        yield return Case("Conditions in one path are AND-ed: one false condition fails the path",
            [Path("both", ("i", "greaterThan", "70"), ("s", "contains", "Silver")), Path("first-only", ("i", "greaterThan", "70"), ("b", "is", "true"))], "first-only");
        yield return Case("Conditions in one path are AND-ed: all true selects it",
            [Path("all", ("i", "greaterThanOrEqual", "80"), ("f", "lessThan", "1"), ("b", "is", "true"), ("d", "greaterThan", "2026-01-01")), Default()], "all");
        yield return Case("A missing accessor fails the whole AND",
            [Path("and", ("i", "is", "80"), ("missing", "isNot", "x")), Default()], "default");
        yield return Case("The first matching path wins",
            [Path("a", ("i", "greaterThan", "10")), Path("b", ("i", "greaterThan", "50"))], "a");
        yield return Case("A later path is tried when the earlier ones fail",
            [Path("a", ("i", "lessThan", "10")), Path("b", ("i", "greaterThan", "50")), Default()], "b");
        yield return Case("An empty definition is the default wherever it stands",
            [Path("never", ("i", "lessThan", "0")), Default(), Path("later", ("i", "is", "80"))], "default");
        yield return Case("A default first takes everything",
            [Default("first"), Path("a", ("i", "is", "80"))], "first");
        yield return Case("No match and no default selects nothing",
            [Path("never", ("i", "lessThan", "0")), Path("nor", ("s", "is", "x"))], null);
        yield return Case("A malformed condition value only fails its own path",
            [Path("bad", ("i", "greaterThan", "eighty")), Path("good", ("i", "greaterThan", "79.9"))], "good");
        yield return Case("Integer and float accessors compare across the two",
            [Path("mixed", ("i", "lessThan", "80.5"), ("f", "greaterThan", "0"), ("f", "lessThan", "1")), Default()], "mixed");
        yield return Case("The contract's example routes a score of 80 to highValue",
            [Path("highValue", ("i", "greaterThanOrEqual", "80")), Path("lowValue", ("i", "lessThan", "80")), Default()], "highValue");
    }

    [TestCaseSource(nameof(PathLists))]
    public void A_path_list(List<PathConfig> paths, string? expected) =>
        Assert.That(PathEvaluator.Select(paths, Values(), Metadata).PathId, Is.EqualTo(expected));

    [Test]
    public void No_path_config_selects_nothing()
    {
        Assert.That(PathEvaluator.Select(null, Values(), Metadata).PathId, Is.Null);
        Assert.That(PathEvaluator.Select([], Values(), Metadata).PathId, Is.Null);
    }

    [Test]
    public void A_null_or_incomplete_condition_never_matches()
    {
        var paths = new List<PathConfig>
        {
            new() { PathId = "null", PathDefinition = [null] },
            new() { PathId = "no-values", PathDefinition = [new PathCondition { Accessor = "s", Operator = "isNot", Values = [] }] },
            new() { PathId = "no-operator", PathDefinition = [new PathCondition { Accessor = "s", Values = ["x"] }] },
        };
        Assert.That(PathEvaluator.Select(paths, Values(), Metadata).PathId, Is.Null);
    }

    [Test]
    public void The_explanation_says_which_path_matched_and_on_what()
    {
        var selection = PathEvaluator.Select([Path("hot", ("i", "greaterThanOrEqual", "80"))], Values(), Metadata);
        Assert.That(selection.Explanation, Is.EqualTo("path 'hot' matched (i greaterThanOrEqual [80])"));
    }

    [Test]
    public void The_explanation_of_no_match_names_each_path_and_its_reason()
    {
        var selection = PathEvaluator.Select(
            [Path("hot", ("i", "greaterThan", "90")), Path("warm", ("missing", "is", "x")), Path("odd", ("i", "is", "eighty"))], Values(), Metadata);
        Assert.That(selection.PathId, Is.Null);
        Assert.That(selection.Explanation, Does.StartWith("no path matched and there is no default path"));
        Assert.That(selection.Explanation, Does.Contain("'hot': i greaterThan [90] is false"));
        Assert.That(selection.Explanation, Does.Contain("'warm': accessor 'missing' has no value"));
        Assert.That(selection.Explanation, Does.Contain("'odd': condition value 'eighty' is not an integer"));
    }

    [Test]
    public void The_explanation_of_a_default_says_what_failed_before_it()
    {
        var selection = PathEvaluator.Select([Path("hot", ("missing", "is", "x")), Default()], Values(), Metadata);
        Assert.That(selection.PathId, Is.EqualTo("default"));
        Assert.That(selection.Explanation, Is.EqualTo("path 'default' is the default (no conditions); before it 'hot': accessor 'missing' has no value"));
    }

    [Test]
    public void A_long_explanation_is_shortened()
    {
        var paths = Enumerable.Range(0, 50).Select(n => Path($"path-{n}", ("i", "is", "1"))).ToList();
        Assert.That(PathEvaluator.Select(paths, Values(), Metadata).Explanation, Has.Length.LessThanOrEqualTo(500).And.EndsWith("…"));
    }

    [Test]
    public void The_table_covers_every_operator_for_every_type()
    {
        var covered = SingleConditions().Select(c => ((string)c.Arguments[0]!, (string)c.Arguments[1]!)).ToHashSet();
        foreach (var accessor in new[] { "s", "i", "f", "b", "d", "t" })
        {
            foreach (var op in PathOperators.All)
                Assert.That(covered, Does.Contain((accessor, op)), $"{accessor} {op}");
        }
        Assert.That(SingleConditions().Count() + PathLists().Count(), Is.GreaterThanOrEqualTo(80));
    }

    private static TestCaseData Case(string name, List<PathConfig> paths, string? expected) => new TestCaseData(paths, expected).SetName(name);

    private static PathConfig Default(string id = "default") => new() { PathId = id, PathDefinition = [] };

    private static PathConfig Path(string id, params (string Accessor, string Operator, string Value)[] conditions) => new()
    {
        PathId = id,
        PathDefinition = [.. conditions.Select(c => new PathCondition { Accessor = c.Accessor, Operator = c.Operator, Values = [c.Value] })],
    };
}
