using System.Diagnostics;

namespace ExternalAction.TestSupport;

/// <summary>Runs one of the repository's infra/*.sh scripts and fails with its output when it fails.</summary>
public static class InfraScript
{
    public static async Task RunAsync(string script, IEnumerable<string> args, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(RabbitVirtualHost.RepositoryRoot(), "infra", script));
        foreach (var arg in args)
            start.ArgumentList.Add(arg);
        foreach (var (key, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
                start.Environment.Remove(key);
            else
                start.Environment[key] = value;
        }
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"infra/{script} {string.Join(' ', args)} failed ({process.ExitCode}): {await error}{await output}");
    }
}
