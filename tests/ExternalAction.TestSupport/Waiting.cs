namespace ExternalAction.TestSupport;

/// <summary>Waits for a condition instead of sleeping a fixed time: polls it until it holds, or fails the test naming what it waited for.</summary>
public static class Waiting
{
    public static async Task UntilAsync(Func<bool> condition, TimeSpan timeout, Func<string> what, int pollMilliseconds = 50)
    {
        var until = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > until)
                Assert.Fail($"Timed out waiting for {what()}.");
            await Task.Delay(pollMilliseconds);
        }
    }
}
