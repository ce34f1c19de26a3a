using System.Globalization;
using System.Text.Json.Nodes;

namespace ExternalAction.Bench.Load;

/// <summary>The contract's three entity types (§2.3).</summary>
internal enum EntityKind
{
    Lead,
    Account,
    AccountPerson,
}

/// <summary>One execution request: its unique token, entity type, whether it carries split paths, and the JSON.</summary>
internal sealed record Body(string Token, EntityKind Kind, bool SplitPaths, string Json);

/// <summary>
/// Realistic execution requests (contract §2.1, §2.3): the three entity types in turn (or one of them), every token
/// unique within a run, every other request with split paths (<c>enableSplitPaths</c> and a <c>pathConfig</c>).
/// </summary>
internal static class Bodies
{
    public static Body Create(long sequence, string callbackBase, string run, EntityKind? only = null)
    {
        var token = Token(run, sequence);
        var kind = only ?? (EntityKind)(sequence % 3);
        var split = sequence % 2 == 0;
        var request = kind switch
        {
            EntityKind.Lead => Lead(sequence),
            EntityKind.Account => Account(sequence),
            _ => AccountPerson(sequence),
        };
        request["token"] = token;
        request["callbackUrl"] = $"{callbackBase}/callback/{token}";
        request["context"] = new JsonObject
        {
            ["subscription"] = new JsonObject { ["prefix"] = "acme", ["imsOrgId"] = "12345@AdobeOrg", ["munchkinId"] = "123-ABC-456" },
            ["journey"] = new JsonObject { ["id"] = "journey-bench", ["name"] = "Benchmark journey", ["status"] = "Live" },
            ["admin"] = new JsonObject { ["region"] = "US" },
        };
        request["enableSplitPaths"] = split;
        request["actionConfig"] = split
            ? new JsonObject
            {
                ["timeout"] = 60,
                ["pathConfig"] = kind switch
                {
                    EntityKind.Lead => Paths("leadScore", "greaterThanOrEqual", "80"),
                    EntityKind.Account => Paths("accountTier", "is", "enterprise"),
                    _ => Paths("buyingRole", "is", "decision-maker"),
                },
            }
            : new JsonObject { ["timeout"] = 60 };
        return new Body(token, kind, split, request.ToJsonString());
    }

    /// <summary>The token of request <paramref name="sequence"/> of a run: unique per run, so the intake never dedupes two.</summary>
    public static string Token(string run, long sequence) => $"{run}-{sequence}";

    private static JsonArray Paths(string accessor, string op, string value) => new(
        new JsonObject
        {
            ["pathId"] = "match",
            ["pathDefinition"] = new JsonArray(new JsonObject { ["accessor"] = accessor, ["operator"] = op, ["values"] = new JsonArray(value) }),
        },
        new JsonObject { ["pathId"] = "default", ["pathDefinition"] = new JsonArray() });

    private static string Id(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static JsonObject Lead(long n) => new()
    {
        ["objectData"] = new JsonObject
        {
            ["objectType"] = "lead",
            ["objectContext"] = new JsonObject
            {
                ["leadId"] = Id(100_000 + n),
                ["leadData"] = new JsonObject { ["email"] = $"person{n}@example.com", ["firstName"] = "Jane", ["company"] = "Acme" },
            },
            ["flowStepContext"] = new JsonObject { ["scoringModel"] = "predictive" },
        },
    };

    private static JsonObject Account(long n) => new()
    {
        ["objectData"] = new JsonObject
        {
            ["objectType"] = "account",
            ["objectContext"] = new JsonObject
            {
                ["accountId"] = Id(500_000 + n),
                ["accountData"] = new JsonObject { ["accountName"] = "Acme Corporation", ["domain"] = "acme.com" },
            },
            ["flowStepContext"] = new JsonObject { ["enrichmentType"] = "firmographic" },
        },
    };

    private static JsonObject AccountPerson(long n) => new()
    {
        ["objectData"] = new JsonObject
        {
            ["objectType"] = "accountPerson",
            ["objectContext"] = new JsonObject
            {
                ["accountId"] = Id(900_000 + n),
                ["accountData"] = new JsonObject { ["accountName"] = "Acme Corporation", ["industry"] = "Technology" },
                ["accountPersonRelationships"] = new JsonArray(
                    Relationship(1_000_000 + (2 * n), 900_000 + n, 10 + n, "a@acme.com", "decision-maker"),
                    Relationship(1_000_001 + (2 * n), 900_000 + n, 11 + n, "b@acme.com", "champion")),
            },
            ["flowStepContext"] = new JsonObject { ["analysisType"] = "committee_complete" },
        },
    };

    private static JsonObject Relationship(long relId, long accountId, long personId, string email, string role) => new()
    {
        ["accountPersonRelId"] = relId,
        ["accountId"] = accountId,
        ["personId"] = personId,
        ["isEmployee"] = true,
        ["leadData"] = new JsonObject { ["email"] = email, ["title"] = "VP Sales" },
        ["relationshipMetadata"] = new JsonObject { ["role"] = role },
    };
}
