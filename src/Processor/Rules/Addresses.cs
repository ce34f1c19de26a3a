using ExternalAction.Actions;
using PhoneNumbers;

namespace ExternalAction.Processor.Rules;

/// <summary>
/// The kinds of address the suppression list and address caps key on, and their normal forms: a phone number in E.164
/// (libphonenumber; a number without a country code is read in <see cref="DefaultRegion"/>), an e-mail address trimmed and
/// lower-cased, a Slack channel without its <c>#</c> and lower-cased. The same normal form on both sides (the list and
/// the delivery) is what makes a suppressed address match however it was typed.
/// </summary>
public static class Addresses
{
    public const string Sms = "sms";
    public const string Email = "email";
    public const string Slack = "slack";
    public const string Webhook = "webhook";
    /// <summary>A contact (lead, account, SFMC contact key, AJO profile) rather than an address.</summary>
    public const string Contact = "contact";

    public static IReadOnlyList<string> Kinds { get; } = [Sms, Email, Slack, Webhook, Contact];

    /// <summary>Region for numbers written without a country code.</summary>
    public const string DefaultRegion = "US";

    private static readonly PhoneNumberUtil Phones = PhoneNumberUtil.GetInstance();

    /// <summary>The kind of address a channel delivers to (<c>null</c> for channel <c>none</c>).</summary>
    public static string? KindOf(ChannelDefinition channel) => channel.Type switch
    {
        ChannelTypes.Twilio or ChannelTypes.Sinch => Sms,
        ChannelTypes.Slack => Slack,
        ChannelTypes.Webhook => Webhook,
        _ => null,
    };

    /// <summary>The normal form of <paramref name="raw"/> for <paramref name="kind"/>, or null when it is empty or not an address of that kind.</summary>
    public static string? Normalize(string kind, string? raw)
    {
        var text = raw?.Trim();
        if (string.IsNullOrEmpty(text) || text.Length > 320)
            return null;
        switch (kind)
        {
            case Sms:
                try
                {
                    var number = Phones.Parse(text, DefaultRegion);
                    return Phones.IsPossibleNumber(number) ? Phones.Format(number, PhoneNumberFormat.E164) : null;
                }
                catch (NumberParseException)
                {
                    return null;
                }
            case Email:
                var at = text.LastIndexOf('@');
                return at > 0 && at < text.Length - 1 && !text.Any(char.IsWhiteSpace) ? text.ToLowerInvariant() : null;
            case Slack:
                var channel = text.TrimStart('#');
                return channel.Length > 0 && !channel.Any(char.IsWhiteSpace) ? channel.ToLowerInvariant() : null;
            case Webhook or Contact:
                return text;
            default:
                return null;
        }
    }
}
