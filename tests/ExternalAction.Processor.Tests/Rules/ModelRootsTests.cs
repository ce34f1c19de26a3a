using ExternalAction.Actions.Rules;
using ExternalAction.Processor.Templating;
using ExternalAction.TestSupport;
using static ExternalAction.Processor.Tests.TestMessages;

namespace ExternalAction.Processor.Tests.Rules;

/// <summary>Start-up validation refuses rule fields outside a B2B request's template model: its list of roots is the model's.</summary>
[TestFixture]
public sealed class ModelRootsTests
{
    [Test]
    public void The_validator_s_B2B_roots_are_the_template_model_s_top_level_names()
    {
        var model = TemplateModel.Create(For(SampleRequests.AccountPerson()), Action("lead-scoring.json"));
        Assert.That(RulesValidator.B2BModelRoots, Is.EquivalentTo(model.Select(p => p.Key)));
    }
}
