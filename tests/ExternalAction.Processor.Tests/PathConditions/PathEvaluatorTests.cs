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
    ];

    private static readonly JsonObject Values = new()
    {
        ["s"] = "Enterprise Gold",
        ["i"] = 80,
        ["f"] = 0.75,
        ["b"] = true,
        ["d"] = "2026-03-15",
        ["t"] = "2026-03-15T10:00:00Z",
    };

    /// <summary>(accessor, operator, values, expected match against <see cref="Values"/>).</summary>
    public static IEnumerable<TestCaseData> SingleConditions()
    {
        (string, string, string[], bool)[] rows =
        [
            ("s", "is", ["Enterprise Gold"], true), ("s", "is", ["enterprise gold"], true), ("s", "is", ["Silver", "Enterprise Gold"], true),
            ("s", "is", ["Silver"], false), ("s", "isNot", ["Silver"], true), ("s", "isNot", ["Silver", "ENTERPRISE GOLD"], false),
            ("s", "contains", ["Gold"], true), ("s", "contains", ["gold"], true), ("s", "contains", ["Platinum", "Gold"], true),
            ("s", "contains", ["Platinum"], false), ("s", "notContains", ["Platinum"], true), ("s", "notContains", ["Platinum", "gold"], false),
            ("s", "greaterThan", ["A"], false), ("s", "lessThan", ["Z"], false), ("s", "greaterThanOrEqual", ["A"], false), ("s", "lessThanOrEqual", ["Z"], false),
            ("i", "is", ["80"], true), ("i", "is", ["80.0"], true), ("i", "is", ["79", "80"], true), ("i", "is", ["81"], false),
            ("i", "isNot", ["81"], true), ("i", "isNot", ["80"], false), ("i", "greaterThan", ["79"], true), ("i", "greaterThan", ["80"], false),
            ("i", "greaterThanOrEqual", ["80"], true), ("i", "greaterThanOrEqual", ["81"], false), ("i", "lessThan", ["81"], true),
            ("i", "lessThan", ["80"], false), ("i", "lessThanOrEqual", ["80"], true), ("i", "lessThanOrEqual", ["79"], false),
            ("i", "greaterThan", ["79.5"], true), ("i", "contains", ["8"], false), ("i", "notContains", ["9"], false),
            ("i", "greaterThan", ["eighty"], false), ("i", "is", ["eighty"], false),
            ("f", "is", ["0.75"], true), ("f", "is", [".75"], true), ("f", "isNot", ["0.5"], true), ("f", "greaterThan", ["0.7"], true),
            ("f", "greaterThan", ["0.75"], false), ("f", "greaterThanOrEqual", ["0.75"], true), ("f", "lessThan", ["1"], true),
            ("f", "lessThan", ["0.75"], false), ("f", "lessThanOrEqual", ["0.75"], true), ("f", "lessThanOrEqual", ["0.7"], false),
            ("f", "contains", ["7"], false), ("f", "lessThan", ["1e0"], true),
            ("b", "is", ["true"], true), ("b", "is", ["True"], true), ("b", "is", ["false"], false), ("b", "isNot", ["false"], true),
            ("b", "isNot", ["true"], false), ("b", "greaterThan", ["false"], false), ("b", "contains", ["true"], false), ("b", "is", ["yes"], false),
            ("d", "is", ["2026-03-15"], true), ("d", "isNot", ["2026-03-16"], true), ("d", "greaterThan", ["2026-03-14"], true),
            ("d", "greaterThan", ["2026-03-15"], false), ("d", "greaterThanOrEqual", ["2026-03-15"], true), ("d", "lessThan", ["2026-04-01"], true),
            ("d", "lessThan", ["2026-03-15"], false), ("d", "lessThanOrEqual", ["2026-03-15"], true), ("d", "lessThan", ["not a date"], false),
            ("d", "contains", ["03"], false),
            ("t", "is", ["2026-03-15T10:00:00Z"], true), ("t", "is", ["2026-03-15T12:00:00+02:00"], true), ("t", "isNot", ["2026-03-15T10:00:01Z"], true),
            ("t", "greaterThan", ["2026-03-15T09:59:59Z"], true), ("t", "greaterThan", ["2026-03-15T10:00:00Z"], false),
            ("t", "greaterThanOrEqual", ["2026-03-15T10:00:00Z"], true), ("t", "lessThan", ["2026-03-15T10:00:01Z"], true),
            ("t", "lessThanOrEqual", ["2026-03-15T09:00:00Z"], false), ("t", "greaterThan", ["garbage"], false),
            ("b", "lessThan", ["true"], false), ("b", "greaterThanOrEqual", ["true"], false), ("b", "lessThanOrEqual", ["true"], false),
            ("b", "notContains", ["x"], false), ("f", "notContains", ["9"], false), ("d", "notContains", ["x"], false),
            ("t", "contains", ["10"], false), ("t", "notContains", ["x"], false),
            ("missing", "is", ["x"], false), ("missing", "isNot", ["x"], false), ("missing", "notContains", ["x"], false),
        ];
        foreach (var (accessor, op, values, expected) in rows)
            yield return new TestCaseData(accessor, op, values, expected).SetName($"{accessor} {op} [{string.Join(",", values)}] is {expected}");
    }

    [TestCaseSource(nameof(SingleConditions))]
    public void A_single_condition(string accessor, string op, string[] values, bool expected)
    {
        var paths = new List<PathConfig>
        {
            new() { PathId = "match", PathDefinition = [new PathCondition { Accessor = accessor, Operator = op, Values = [.. values] }] },
            new() { PathId = "default", PathDefinition = [] },
        };
        Assert.That(PathEvaluator.Select(paths, Values, Metadata).PathId, Is.EqualTo(expected ? "match" : "default"));
    }

    [Test]
    public void Conditions_in_one_path_are_anded()
    {
        var paths = new List<PathConfig>
        {
            Path("both", ("i", "greaterThan", "70"), ("s", "contains", "Silver")),
            Path("first-only", ("i", "greaterThan", "70"), ("b", "is", "true")),
        };
        Assert.That(PathEvaluator.Select(paths, Values, Metadata).PathId, Is.EqualTo("first-only"));
    }

    [Test]
    public void The_first_matching_path_wins()
    {
        var paths = new List<PathConfig> { Path("a", ("i", "greaterThan", "10")), Path("b", ("i", "greaterThan", "50")) };
        Assert.That(PathEvaluator.Select(paths, Values, Metadata).PathId, Is.EqualTo("a"));
    }

    [Test]
    public void An_empty_definition_is_the_default_wherever_it_stands()
    {
        var paths = new List<PathConfig> { Path("never", ("i", "lessThan", "0")), new() { PathId = "default", PathDefinition = [] }, Path("later", ("i", "is", "80")) };
        Assert.That(PathEvaluator.Select(paths, Values, Metadata).PathId, Is.EqualTo("default"));
    }

    [Test]
    public void No_match_and_no_default_selects_nothing()
    {
        var selection = PathEvaluator.Select([Path("never", ("i", "lessThan", "0"))], Values, Metadata);
        Assert.That(selection.PathId, Is.Null);
        Assert.That(selection.Explanation, Does.Contain("no path matched"));
    }

    [Test]
    public void A_malformed_accessor_value_matches_nothing()
    {
        var values = new JsonObject { ["i"] = "lots" };
        Assert.That(PathEvaluator.Select([Path("x", ("i", "isNot", "5")), new PathConfig { PathId = "default", PathDefinition = [] }], values, Metadata).PathId, Is.EqualTo("default"));
    }

    [Test]
    public void A_null_accessor_matches_nothing()
    {
        var values = new JsonObject { ["s"] = null };
        Assert.That(PathEvaluator.Select([Path("x", ("s", "isNot", "a"))], values, Metadata).PathId, Is.Null);
    }

    [Test]
    public void Integers_compare_with_float_values_and_floats_with_integer_values()
    {
        Assert.That(PathEvaluator.Select([Path("x", ("i", "lessThan", "80.5"))], Values, Metadata).PathId, Is.EqualTo("x"));
        Assert.That(PathEvaluator.Select([Path("y", ("f", "lessThan", "1"))], Values, Metadata).PathId, Is.EqualTo("y"));
    }

    [Test]
    public void No_path_config_selects_nothing() =>
        Assert.That(PathEvaluator.Select(null, Values, Metadata).PathId, Is.Null);

    [Test]
    public void The_table_covers_every_operator_for_every_type()
    {
        var covered = SingleConditions().Select(c => ((string)c.Arguments[0]!, (string)c.Arguments[1]!)).ToHashSet();
        foreach (var accessor in new[] { "s", "i", "f", "b", "d", "t" })
            foreach (var op in PathOperators.All)
                Assert.That(covered, Does.Contain((accessor, op)), $"{accessor} {op}");
        Assert.That(SingleConditions().Count(), Is.GreaterThanOrEqualTo(80));
    }

    private static PathConfig Path(string id, params (string Accessor, string Operator, string Value)[] conditions) => new()
    {
        PathId = id,
        PathDefinition = [.. conditions.Select(c => new PathCondition { Accessor = c.Accessor, Operator = c.Operator, Values = [c.Value] })],
    };
}
