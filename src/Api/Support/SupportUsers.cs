using System.Text.RegularExpressions;
using ExternalAction.Api.Authentication;
using ExternalAction.ServiceDefaults.Secrets;
using Microsoft.Extensions.Options;

namespace ExternalAction.Api.Support;

/// <summary>
/// Finds the support user a presented key belongs to. Every configured key is compared in constant time, so the time
/// taken tells neither whether nor which key matched.
/// </summary>
public sealed partial class SupportUsers(IOptionsMonitor<SupportOptions> options)
{
    public bool AnyConfigured => options.CurrentValue is { } o && (o.ApiKeys.Count > 0 || o.Users.Count > 0);

    public SupportPrincipal? Find(string presented)
    {
        if (presented.Length == 0)
            return null;
        var current = options.CurrentValue;
        SupportPrincipal? found = null;
        for (var i = 0; i < current.ApiKeys.Count; i++)
            if (SecretComparer.Matches(presented, current.ApiKeys[i]))
                found ??= new SupportPrincipal($"support-key-{i + 1}", SupportRoles.Viewer);
        foreach (var user in current.Users)
            if (SecretComparer.Matches(presented, user.Key))
                found ??= new SupportPrincipal(user.Name, user.Role);
        return found;
    }

    /// <summary>A user name is shown and recorded: letters, digits and <c>. _ @ -</c>, 1 to 64 of them.</summary>
    [GeneratedRegex("^[A-Za-z0-9._@-]{1,64}$")]
    public static partial Regex ValidName();

    /// <summary>Every configured support key meets <see cref="SecretRules"/> and every user has a valid name and role.</summary>
    internal sealed class Validator(IHostEnvironment environment, SecretResolver secrets) : IValidateOptions<SupportOptions>
    {
        public ValidateOptionsResult Validate(string? name, SupportOptions options)
        {
            var problems = options.ApiKeys
                .Select((key, i) => SecretRules.Problem(key) is { } problem ? $"{SupportOptions.Section}:ApiKeys:{i} {problem}." : null)
                .OfType<string>().ToList();
            for (var i = 0; i < options.Users.Count; i++)
            {
                var user = options.Users[i];
                if (SecretRules.Problem(user.Key) is { } problem)
                    problems.Add($"{SupportOptions.Section}:Users:{i}:Key {problem}.");
                if (!ValidName().IsMatch(user.Name))
                    problems.Add($"{SupportOptions.Section}:Users:{i}:Name must be 1 to 64 letters, digits or . _ @ -.");
                if (!SupportRoles.All.Contains(user.Role))
                    problems.Add($"{SupportOptions.Section}:Users:{i}:Role must be one of {string.Join(", ", SupportRoles.All)}.");
            }
            if (options.Users.Select(u => u.Name).GroupBy(n => n, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1) is { } twice)
                problems.Add($"{SupportOptions.Section}:Users names '{twice.Key}' twice.");
            if (options.Replay.MaxScan is < 1 or > 1_000_000)
                problems.Add($"{SupportOptions.Section}:Replay:MaxScan must be between 1 and 1000000.");
            if (options.Replay.MaxBatch is < 1 or > 10_000)
                problems.Add($"{SupportOptions.Section}:Replay:MaxBatch must be between 1 and 10000.");
            if (options.ConsoleSessionMinutes is < 1 or > 10_080)
                problems.Add($"{SupportOptions.Section}:ConsoleSessionMinutes must be between 1 and 10080.");
            if (options.AttentionHorizonMinutes is < 1 or > 10_080)
                problems.Add($"{SupportOptions.Section}:AttentionHorizonMinutes must be between 1 and 10080.");
            problems.AddRange(options.Oidc.Problems(environment.IsDevelopment(), n => secrets.TryResolve(n, out _)));
            if (!options.ConsoleKeySignIn && !options.Oidc.Enabled)
                problems.Add($"{SupportOptions.Section}:ConsoleKeySignIn is false and {SupportOidcOptions.Section}:Authority is not set: the console would have no way to sign in.");
            return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
        }
    }
}
