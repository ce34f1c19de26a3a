using System.Text.Json.Nodes;

namespace ExternalAction.Bench;

/// <summary>Realistic execution requests: the contract's three entity types, unique tokens, with and without split paths.</summary>
internal static class Bodies
{
    public static (string Action, string Token, string Json) Create(long sequence, string callbackBase, string run)
    {
        var token = $"{run}-{sequence}";
        var kind = sequence % 3;
        var split = sequence % 2 == 0;
        var request = kind switch
        {
            0 => Lead(sequence),
            1 => Account(sequence),
            _ => AccountPerson(sequence),
        };
        request["token"] = token;
        request["callbackUrl"] = $"{callbackBase}/callback/{token}";
        request["context"] = new JsonObject
        {
            ["subscription"] = new JsonObject { ["prefix"] = "acme", ["imsOrgId"] = "12345@AdobeOrg", ["munchkinId"] = "123-ABC-456" },
            ["journey"] = new JsonObject { ["id"] = "journey-bench", ["name"] = "Benchmark journey", ["status"] = "Live" },
        };
        if (split)
        {
            request["enableSplitPaths"] = true;
            request["actionConfig"] = new JsonObject
            {
                ["timeout"] = 60,
                ["pathConfig"] = kind switch
                {
                    0 => Paths("leadScore", "greaterThanOrEqual", "80"),
                    1 => Paths("accountTier", "is", "enterprise"),
                    _ => Paths("buyingRole", "is", "decision-maker"),
                },
            };
        }
        else
        {
            request["enableSplitPaths"] = false;
            request["actionConfig"] = new JsonObject { ["timeout"] = 60 };
        }
        var action = kind switch { 0 => "bench-lead", 1 => "bench-account", _ => "bench-buying-group" };
        return (action, token, request.ToJsonString());
    }

    private static JsonArray Paths(string accessor, string op, string value) => new(
        new JsonObject { ["pathId"] = "match", ["pathDefinition"] = new JsonArray(new JsonObject { ["accessor"] = accessor, ["operator"] = op, ["values"] = new JsonArray(value) }) },
        new JsonObject { ["pathId"] = "default", ["pathDefinition"] = new JsonArray() });

    private static JsonObject Lead(long n) => new()
    {
        ["objectData"] = new JsonObject
        {
            ["objectType"] = "lead",
            ["objectContext"] = new JsonObject
            {
                ["leadId"] = (100000 + n).ToString(System.Globalization.CultureInfo.InvariantCulture),
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
                ["accountId"] = (500000 + n).ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["accountData"] = new JsonObject { ["accountName"] = "Acme Corporation", ["domain"] = "acme.com" },
            },
        },
    };

    private static JsonObject AccountPerson(long n) => new()
    {
        ["objectData"] = new JsonObject
        {
            ["objectType"] = "accountPerson",
            ["objectContext"] = new JsonObject
            {
                ["accountId"] = (900000 + n).ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["accountData"] = new JsonObject { ["accountName"] = "Acme Corporation" },
                ["accountPersonRelationships"] = new JsonArray(
                    new JsonObject { ["accountPersonRelId"] = 1000000 + (2 * n), ["accountId"] = 900000 + n, ["personId"] = 10 + n, ["leadData"] = new JsonObject { ["email"] = "a@acme.com" }, ["relationshipMetadata"] = new JsonObject { ["role"] = "decision-maker" } },
                    new JsonObject { ["accountPersonRelId"] = 1000001 + (2 * n), ["accountId"] = 900000 + n, ["personId"] = 11 + n, ["leadData"] = new JsonObject { ["email"] = "b@acme.com" }, ["relationshipMetadata"] = new JsonObject { ["role"] = "champion" } }),
            },
        },
    };
}
