using System.Text.Json.Nodes;
using ExternalAction.Actions.Rules;
using ExternalAction.Processor.Accessors;

namespace ExternalAction.Processor.Rules;

/// <summary>
/// Send-window arithmetic in the recipient's time zone (pure; the clock is the caller's): whether a moment is inside the
/// window, and when it next opens. Local times that do not exist (the hour skipped when clocks go forward) open at the
/// first instant after the gap; local times that happen twice (when clocks go back) open at the first of the two.
/// </summary>
public static class SendWindows
{
    /// <summary>The recipient's zone: <see cref="SendWindow.ZoneField"/> when it holds a known IANA id, else the country's, else the default.</summary>
    public static TimeZoneInfo ZoneFor(SendWindow window, JsonNode model)
    {
        if (window.ZoneField is not null && TypedValues.String(JsonPath.Select(model, window.ZoneField) ?? JsonValue.Create("")) is { Length: > 0 and <= 64 } id
            && TimeZoneInfo.TryFindSystemTimeZoneById(id.Trim(), out var zone))
            return zone;
        if (window.CountryField is not null && TypedValues.String(JsonPath.Select(model, window.CountryField) ?? JsonValue.Create("")) is { Length: 2 } country
            && window.CountryZones.TryGetValue(country.ToUpperInvariant(), out var countryZone) && TimeZoneInfo.TryFindSystemTimeZoneById(countryZone, out var byCountry))
            return byCountry;
        return TimeZoneInfo.FindSystemTimeZoneById(window.DefaultZone);
    }

    /// <summary><paramref name="now"/> itself when the window is open then, else the next instant it opens.</summary>
    public static DateTimeOffset NextOpen(SendWindow window, TimeZoneInfo zone, DateTimeOffset now)
    {
        var local = TimeZoneInfo.ConvertTime(now, zone);
        var today = DateOnly.FromDateTime(local.DateTime);
        var time = TimeOnly.FromDateTime(local.DateTime);
        if (IsOpenDay(window, today) && time >= window.Opens && time < window.Closes)
            return now;
        // Today's opening if it is still ahead, else the next open day's (at most a week ahead).
        for (var d = 0; d <= 7; d++)
        {
            var day = today.AddDays(d);
            if (!IsOpenDay(window, day))
                continue;
            var opens = Instant(zone, day.ToDateTime(window.Opens));
            var closes = Instant(zone, day.ToDateTime(window.Closes));
            if (opens > now)
                return opens;
            if (now < closes)
                return now;
        }
        throw new InvalidOperationException("A send window with no open day; start-up validation refuses it.");
    }

    public static string Describe(SendWindow window, TimeZoneInfo zone) =>
        $"{window.From}-{window.To}{(window.Days.Count is > 0 and < 7 ? " " + string.Join(",", window.Days) : "")} {zone.Id}";

    private static bool IsOpenDay(SendWindow window, DateOnly day) =>
        window.Days.Count == 0 || window.Days.Contains(SendWindow.DayNames[(int)day.DayOfWeek]);

    /// <summary>The instant of a local wall-clock time in <paramref name="zone"/>, resolving DST gaps and overlaps as the class says.</summary>
    public static DateTimeOffset Instant(TimeZoneInfo zone, DateTime local)
    {
        local = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
        if (zone.IsInvalidTime(local))
        {
            // Skipped by the clocks going forward: the first valid minute after the gap.
            var probe = local;
            while (zone.IsInvalidTime(probe))
                probe = probe.AddMinutes(1);
            return new DateTimeOffset(probe, zone.GetUtcOffset(probe));
        }
        if (zone.IsAmbiguousTime(local))
        {
            // Happens twice when the clocks go back: the first of the two is the larger offset.
            var offset = zone.GetAmbiguousTimeOffsets(local).Max();
            return new DateTimeOffset(local, offset);
        }
        return new DateTimeOffset(local, zone.GetUtcOffset(local));
    }
}
