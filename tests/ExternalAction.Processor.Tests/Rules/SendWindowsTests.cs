using ExternalAction.Actions.Rules;
using ExternalAction.Processor.Rules;
using System.Text.Json.Nodes;

namespace ExternalAction.Processor.Tests.Rules;

/// <summary>Send-window arithmetic in the recipient's zone, both daylight-saving transitions of New York included.</summary>
[TestFixture]
public sealed class SendWindowsTests
{
    private static readonly TimeZoneInfo NewYork = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");

    private static SendWindow Window(string from = "09:00", string to = "20:00", params string[] days) =>
        new() { From = from, To = to, Days = [.. days], DefaultZone = "UTC" };

    private static DateTimeOffset Utc(string text) => DateTimeOffset.Parse(text, System.Globalization.CultureInfo.InvariantCulture);

    [TestCase("2026-06-10T14:00:00Z", "2026-06-10T14:00:00Z", TestName = "Inside the window: now (10:00 EDT)")]
    [TestCase("2026-06-10T12:00:00Z", "2026-06-10T13:00:00Z", TestName = "Before it opens: today 09:00 EDT")]
    [TestCase("2026-06-11T00:30:00Z", "2026-06-11T13:00:00Z", TestName = "After it closes (20:30 EDT): tomorrow 09:00 EDT")]
    [TestCase("2026-06-10T23:59:59Z", "2026-06-10T23:59:59Z", TestName = "One second before it closes (19:59:59 EDT): now")]
    [TestCase("2026-06-11T00:00:00Z", "2026-06-11T13:00:00Z", TestName = "At the closing minute (20:00 EDT): closed, tomorrow")]
    public void Next_opening_in_New_York(string now, string expected) =>
        Assert.That(SendWindows.NextOpen(Window(), NewYork, Utc(now)), Is.EqualTo(Utc(expected)));

    [Test]
    public void Weekdays_only_skips_the_weekend()
    {
        // Friday 2026-06-12 21:00 EDT → Monday 2026-06-15 09:00 EDT.
        var window = Window("09:00", "20:00", "Mon", "Tue", "Wed", "Thu", "Fri");
        Assert.That(SendWindows.NextOpen(window, NewYork, Utc("2026-06-13T01:00:00Z")), Is.EqualTo(Utc("2026-06-15T13:00:00Z")));
    }

    [Test]
    public void Spring_forward_a_window_opening_in_the_skipped_hour_opens_right_after_the_gap()
    {
        // 2026-03-08: clocks go from 02:00 EST to 03:00 EDT; 02:30 does not exist that day.
        var window = Window("02:30", "05:00");
        Assert.That(SendWindows.NextOpen(window, NewYork, Utc("2026-03-08T06:00:00Z")), Is.EqualTo(Utc("2026-03-08T07:00:00Z")), "01:00 EST → 03:00 EDT (07:00Z)");
        Assert.That(SendWindows.NextOpen(window, NewYork, Utc("2026-03-09T01:00:00Z")), Is.EqualTo(Utc("2026-03-09T06:30:00Z")), "the next day 02:30 EDT again");
    }

    [Test]
    public void Spring_forward_a_nine_o_clock_window_opens_at_nine_daylight_time()
    {
        Assert.That(SendWindows.NextOpen(Window(), NewYork, Utc("2026-03-08T05:00:00Z")), Is.EqualTo(Utc("2026-03-08T13:00:00Z")), "00:00 EST → 09:00 EDT = 13:00Z");
        Assert.That(SendWindows.NextOpen(Window(), NewYork, Utc("2026-03-07T05:00:00Z")), Is.EqualTo(Utc("2026-03-07T14:00:00Z")), "the day before: 09:00 EST = 14:00Z");
    }

    [Test]
    public void Fall_back_a_window_opening_in_the_repeated_hour_opens_at_its_first_occurrence()
    {
        // 2026-11-01: clocks go from 02:00 EDT back to 01:00 EST; 01:30 happens twice (05:30Z and 06:30Z).
        var window = Window("01:30", "04:00");
        Assert.That(SendWindows.NextOpen(window, NewYork, Utc("2026-11-01T04:00:00Z")), Is.EqualTo(Utc("2026-11-01T05:30:00Z")));
        Assert.That(SendWindows.NextOpen(window, NewYork, Utc("2026-11-01T06:00:00Z")), Is.EqualTo(Utc("2026-11-01T06:00:00Z")), "inside it (the second 01:00-02:00 hour)");
    }

    [Test]
    public void Fall_back_a_nine_o_clock_window_opens_at_nine_standard_time()
    {
        Assert.That(SendWindows.NextOpen(Window(), NewYork, Utc("2026-11-01T05:00:00Z")), Is.EqualTo(Utc("2026-11-01T14:00:00Z")), "09:00 EST = 14:00Z");
        Assert.That(SendWindows.NextOpen(Window(), NewYork, Utc("2026-10-31T05:00:00Z")), Is.EqualTo(Utc("2026-10-31T13:00:00Z")), "the day before: 09:00 EDT = 13:00Z");
    }

    [TestCase("{\"lead\":{\"tz\":\"Asia/Tokyo\"}}", "Asia/Tokyo", TestName = "Zone from the zone field")]
    [TestCase("{\"lead\":{\"tz\":\"Not/AZone\",\"country\":\"fr\"}}", "Europe/Paris", TestName = "Unknown zone id: the country's zone")]
    [TestCase("{\"lead\":{\"country\":\"ZZ\"}}", "America/Chicago", TestName = "Unknown country: the default zone")]
    [TestCase("{\"lead\":{\"tz\":42}}", "America/Chicago", TestName = "A zone field that is not text: the default zone")]
    public void The_recipient_s_zone(string model, string zone)
    {
        var window = new SendWindow { From = "09:00", To = "17:00", ZoneField = "lead.tz", CountryField = "lead.country", CountryZones = new() { ["FR"] = "Europe/Paris" }, DefaultZone = "America/Chicago" };
        Assert.That(SendWindows.ZoneFor(window, JsonNode.Parse(model)!).Id, Is.EqualTo(zone));
    }
}
