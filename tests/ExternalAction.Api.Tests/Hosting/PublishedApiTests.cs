using System.Diagnostics;
using System.Net;
using System.Reflection;
using System.Text.RegularExpressions;

namespace ExternalAction.Api.Tests.Hosting;

/// <summary>
/// A newcomer's deployment (finding 18): everything the default configuration names is in the Api's output and its
/// publish folder, and <c>dotnet ExternalAction.Api.dll</c> run inside a published folder starts and answers.
/// </summary>
public sealed partial class PublishedApiTests
{
    private static string Repository { get; } = FindRepository();
    private static string ApiProject => Path.Combine(Repository, "src", "Api");

    private static string Configuration =>
        typeof(PublishedApiTests).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";

    /// <summary>Files the default configuration names: the actions file and every service definition file it lists.</summary>
    private static List<string> NamedByDefaultConfiguration()
    {
        var comments = new System.Text.Json.JsonDocumentOptions { CommentHandling = System.Text.Json.JsonCommentHandling.Skip };
        var settings = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(ApiProject, "appsettings.json")), documentOptions: comments)!;
        var actionsFile = settings["ExternalAction"]!["Actions"]!["File"]!.GetValue<string>();
        var actions = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(ApiProject, actionsFile)),
            documentOptions: new System.Text.Json.JsonDocumentOptions { CommentHandling = System.Text.Json.JsonCommentHandling.Skip })!;
        // Actions of the other faces (AJO, SFMC samples) have no service definition file.
        return [actionsFile, "appsettings.json", .. actions["actions"]!.AsArray().Select(a => a!["serviceDefinitionFile"]?.GetValue<string>()).OfType<string>()];
    }

    [Test]
    public void The_default_configuration_names_files_that_exist() =>
        Assert.That(NamedByDefaultConfiguration().Where(f => !File.Exists(Path.Combine(ApiProject, f))), Is.Empty);

    [Test]
    public void Every_file_the_default_configuration_names_is_in_the_build_output()
    {
        var output = Path.Combine(ApiProject, "bin", Configuration, "net10.0");
        Assert.That(NamedByDefaultConfiguration().Where(f => !File.Exists(Path.Combine(output, f))), Is.Empty, output);
    }

    [Test]
    public async Task The_published_api_starts_from_its_own_folder_and_answers_health_live()
    {
        var folder = Path.Combine(Path.GetTempPath(), $"externalaction-publish-{Guid.NewGuid():N}");
        try
        {
            // --no-build reuses the build this test run made: what is measured is what publish copies.
            var (exit, output) = await RunAsync("dotnet", ["publish", ApiProject, "-c", Configuration, "--no-build", "--no-restore", "-o", folder, "-nologo", "-v", "q", "-nodeReuse:false"],
                Repository, TimeSpan.FromMinutes(3));
            Assert.That(exit, Is.EqualTo(0), output);
            Assert.That(NamedByDefaultConfiguration().Where(f => !File.Exists(Path.Combine(folder, f))), Is.Empty, "missing from the publish folder");

            await StartAndProbeAsync(folder);
        }
        finally
        {
            if (Directory.Exists(folder))
                Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>Runs the published dll with the default configuration (only the credentials Production insists on), working directory inside the folder.</summary>
    private static async Task StartAndProbeAsync(string folder)
    {
        var start = new ProcessStartInfo("dotnet", ["ExternalAction.Api.dll", "--urls", "http://127.0.0.1:0"])
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("ExternalAction__", StringComparison.OrdinalIgnoreCase) ||
                     k.StartsWith("ASPNETCORE_", StringComparison.OrdinalIgnoreCase) || k.StartsWith("DOTNET_ENVIRONMENT", StringComparison.OrdinalIgnoreCase)).ToList())
            start.Environment.Remove(name);
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["ExternalAction__Auth__Scheme"] = "apiKey";
        start.Environment["ExternalAction__Auth__ApiKey__Keys__0"] = "published-test-key-0123456789";

        using var process = Process.Start(start)!;
        var log = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var listening = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
                return;
            log.Enqueue(e.Data);
            if (ListeningOn().Match(e.Data) is { Success: true } match)
                listening.TrySetResult(match.Groups["url"].Value);
        };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) log.Enqueue(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var exited = process.WaitForExitAsync();
        try
        {
            var first = await Task.WhenAny(listening.Task, exited, Task.Delay(TimeSpan.FromSeconds(60)));
            Assert.That(first, Is.SameAs(listening.Task), "the Api did not start listening:\n" + string.Join('\n', log));
            using var http = new HttpClient { BaseAddress = new Uri(listening.Task.Result), Timeout = TimeSpan.FromSeconds(10) };
            using var live = await http.GetAsync("/health/live");
            Assert.That(live.StatusCode, Is.EqualTo(HttpStatusCode.OK), string.Join('\n', log));
            using var sample = await http.GetAsync("/actions/lead-enrichment/getServiceDefinition");
            Assert.That(sample.StatusCode, Is.EqualTo(HttpStatusCode.OK), "the YAML sample is served");
        }
        finally
        {
            if (!process.HasExited)
                process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    private static string FindRepository()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            if (File.Exists(Path.Combine(directory.FullName, "ExternalAction.sln")))
                return directory.FullName;
        throw new InvalidOperationException("ExternalAction.sln not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex(@"Now listening on: (?<url>http://\S+)")]
    private static partial Regex ListeningOn();

    private static async Task<(int Exit, string Output)> RunAsync(string file, string[] arguments, string directory, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(file, arguments) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        return (process.ExitCode, await stdout + await stderr);
    }
}
