using System.Text;
using ExternalAction.Actions;
using ExternalAction.Api.Preview;
using ExternalAction.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace ExternalAction.Api.Tests.Support;

/// <summary>
/// The console's preview page starts from <see cref="PreviewSamples"/>: for every action and contract of the shipped and
/// the test action files, the sample must pass that contract's own checks (what its endpoint would accept).
/// </summary>
[TestFixture]
public sealed class PreviewSamplesTests
{
    private static IEnumerable<TestCaseData> Files()
    {
        yield return new TestCaseData(Path.Combine(AppContext.BaseDirectory, "actions.json")).SetName("The shipped actions.json");
        foreach (var name in new[] { "intake-actions.json", "ajo-actions.json", "sfmc-actions.json" })
            yield return new TestCaseData(Path.Combine(Fixtures.Root, "actions", name)).SetName($"tests/fixtures/actions/{name}");
    }

    [TestCaseSource(nameof(Files))]
    public async Task Every_action_s_sample_for_every_contract_it_serves_is_accepted_by_that_contract_s_checks(string file)
    {
        // Journey Builder's settings too, which an SFMC action needs to start.
        var settings = SfmcJourneyBuilder.Settings();
        settings["ExternalAction:Actions:File"] = file;
        settings["ExternalAction:Intake:PublicBaseUrl"] = "https://preview.example.com";
        await using var factory = new ApiFactory(settings);
        var services = factory.Services;
        var inputs = services.GetRequiredService<PreviewInputs>();
        var samples = services.GetRequiredService<PreviewSamples>();
        var previewed = 0;
        foreach (var action in services.GetRequiredService<ActionCatalog>().All)
        {
            foreach (var contract in inputs.Contracts(action))
            {
                var sample = samples.For(action, contract);
                var input = await inputs.ReadAsync(action, contract, Encoding.UTF8.GetBytes(sample.ToJsonString()), null, default);
                Assert.That(input.Problem, Is.Null, $"{action.Name} ({contract}): {sample.ToJsonString()}");
                Assert.That(input.Message!.Contract, Is.EqualTo(contract));
                previewed++;
            }
        }
        Assert.That(previewed, Is.GreaterThan(0));
    }
}
