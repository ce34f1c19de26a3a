using System.Text.Json.Nodes;

namespace ExternalAction.TestSupport;

/// <summary>Execution requests for the three entity types, shaped like the contract notes' examples (§2).</summary>
public static class SampleRequests
{
    public const string CallbackUrl = "https://callbacks.adobe.io/submitExternalAction/callback";

    public static JsonObject Lead(string token = "tok-lead-1", string callbackUrl = CallbackUrl) => Parse($$"""
        {
          "token": "{{token}}",
          "callbackUrl": "{{callbackUrl}}",
          "context": {
            "subscription": { "prefix": "acme", "imsOrgId": "12345@AdobeOrg", "instanceName": "acme-prod", "munchkinId": "123-ABC-456" },
            "journey": { "id": "journey-1", "name": "Welcome series", "status": "Live", "startDate": "2026-03-01T00:00:00Z" },
            "admin": { "apiKey": "admin-secret-api-key", "scoringThreshold": 50 }
          },
          "objectData": {
            "objectType": "lead",
            "objectContext": { "leadId": "12345", "leadData": { "email": "jane@example.com", "firstName": "Jane", "company": "Acme" } },
            "flowStepContext": { "scoringModel": "predictive" }
          },
          "actionConfig": {
            "timeout": 60,
            "pathConfig": [
              { "pathId": "hot", "pathDefinition": [ { "accessor": "leadScore", "operator": "greaterThanOrEqual", "values": ["80"] } ] },
              { "pathId": "warm", "pathDefinition": [ { "accessor": "scoreTier", "operator": "is", "values": ["warm", "hot"] } ] },
              { "pathId": "default", "pathDefinition": [] }
            ]
          },
          "customHeaders": { "X-Customer-ID": "123-ABC-456" },
          "enableSplitPaths": true
        }
        """);

    public static JsonObject Account(string token = "tok-account-1", string callbackUrl = CallbackUrl) => Parse($$"""
        {
          "token": "{{token}}",
          "callbackUrl": "{{callbackUrl}}",
          "context": { "subscription": { "imsOrgId": "12345@AdobeOrg", "munchkinId": "123-ABC-456" }, "journey": { "id": "journey-2", "name": "ABM" } },
          "objectData": {
            "objectType": "account",
            "objectContext": { "accountId": "67890", "accountData": { "accountName": "Acme Corporation", "domain": "acme.com", "industry": "Technology" } },
            "flowStepContext": { "enrichmentType": "firmographic" }
          },
          "actionConfig": {
            "timeout": 30,
            "pathConfig": [
              { "pathId": "enterprise", "pathDefinition": [ { "accessor": "accountTier", "operator": "is", "values": ["enterprise"] } ] },
              { "pathId": "default", "pathDefinition": [] }
            ]
          },
          "enableSplitPaths": true
        }
        """);

    public static JsonObject AccountPerson(string token = "tok-ap-1", string callbackUrl = CallbackUrl) => Parse($$"""
        {
          "token": "{{token}}",
          "callbackUrl": "{{callbackUrl}}",
          "context": { "subscription": { "imsOrgId": "12345@AdobeOrg" }, "journey": { "id": "journey-3", "name": "Buying group" } },
          "objectData": {
            "objectType": "accountPerson",
            "objectContext": {
              "accountId": "54321",
              "accountData": { "accountName": "Acme Corporation", "industry": "Technology" },
              "accountPersonRelationships": [
                { "accountPersonRelId": 9001, "accountId": 54321, "personId": 12345, "mktoGuid": "guid-123", "isEmployee": true,
                  "leadData": { "email": "john@acme.com", "title": "VP Sales" }, "relationshipMetadata": { "role": "decision-maker" } },
                { "accountPersonRelId": 9002, "accountId": 54321, "personId": 12346,
                  "leadData": { "email": "ann@acme.com", "title": "Engineer" }, "relationshipMetadata": { "role": "champion" } }
              ]
            },
            "flowStepContext": { "analysisType": "committee_complete" }
          },
          "actionConfig": {
            "timeout": 60,
            "pathConfig": [
              { "pathId": "economic", "pathDefinition": [ { "accessor": "buyingRole", "operator": "is", "values": ["decision-maker"] } ] },
              { "pathId": "default", "pathDefinition": [] }
            ]
          },
          "enableSplitPaths": true
        }
        """);

    private static JsonObject Parse(string json) => JsonNode.Parse(json)!.AsObject();
}
