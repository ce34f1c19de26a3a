using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using ExternalAction.Contracts.Callbacks;
using ExternalAction.Contracts.Json;
using ExternalAction.Contracts.Messaging;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using RabbitMQ.Client.Exceptions;

namespace ExternalAction.Bench.Baseline;

/// <summary>What the naive consumer does, from its options.</summary>
/// <param name="Queue">The queue to consume: the Processor's (<c>externalaction-process</c>), so it can stand in for it.</param>
/// <param name="ChannelUrl">Where each delivery is POSTed (the bench tool's instant channel); null = no channel call.</param>
/// <param name="ChannelActions">Actions whose messages get a channel call (as bench/actions.json: only <c>bench-lead</c>
/// has a webhook channel); empty = every message.</param>
/// <param name="CallbackHosts">Hosts a callback URL may point at: the message came from the Api, which checked it, but
/// this tool still refuses to POST anywhere else.</param>
internal sealed record NaiveConsumerSettings(
    string RabbitUrl, string Queue, string? ChannelUrl, IReadOnlySet<string> ChannelActions, ushort Prefetch, ushort Concurrency,
    IReadOnlySet<string> CallbackHosts);

/// <summary>What became of one message.</summary>
internal enum NaiveOutcome
{
    /// <summary>Channel (if any) and callback answered 2xx: acknowledged.</summary>
    CalledBack,
    /// <summary>Another contract than B2B: nothing to call back; acknowledged after the channel call.</summary>
    NoCallback,
    /// <summary>Not an ActionAccepted envelope, or a callback URL outside <see cref="NaiveConsumerSettings.CallbackHosts"/>: rejected, not requeued.</summary>
    Unreadable,
}

/// <summary>
/// The baseline the Processor's CPU per request is compared with: takes our Api's <see cref="ActionAccepted"/> messages
/// (MassTransit envelopes) off a queue, POSTs the channel, POSTs the platform callback, acknowledges. No database, no
/// lifecycle, no retry schedule, no split conditions: the least work that still calls back every accepted request. A
/// failed channel or callback POST is nacked and requeued (redelivered at once), so nothing is lost while the sink is up.
/// </summary>
internal sealed class NaiveConsumer : IAsyncDisposable
{
    // MassTransit's System.Text.Json envelope: camelCase; the B2B request inside reads itself with the contract's options.
    private static readonly JsonSerializerOptions Bus = new(JsonSerializerDefaults.Web);
    private readonly NaiveConsumerSettings _settings;
    private readonly HttpClient _http;
    private IConnection? _connection;
    private IChannel? _channel;
    private long _calledBack;
    private long _noCallback;
    private long _unreadable;
    private long _requeued;

    public NaiveConsumer(NaiveConsumerSettings settings, HttpClient http)
    {
        _settings = settings;
        _http = http;
    }

    public long CalledBack => Interlocked.Read(ref _calledBack);
    public long NoCallback => Interlocked.Read(ref _noCallback);
    public long Unreadable => Interlocked.Read(ref _unreadable);

    /// <summary>Deliveries nacked back to the queue after a failed channel or callback POST.</summary>
    public long Requeued => Interlocked.Read(ref _requeued);

    /// <summary>Connected to the broker (the queue may not exist yet: see <see cref="ConsumeAsync"/>).</summary>
    public bool Connected => _connection?.IsOpen == true;

    public async Task ConnectAsync(CancellationToken ct)
    {
        var factory = new ConnectionFactory
        {
            Uri = new Uri(_settings.RabbitUrl),
            ClientProvidedName = "bench-naive-consumer",
            ConsumerDispatchConcurrency = _settings.Concurrency,
        };
        _connection = await factory.CreateConnectionAsync(ct);
    }

    /// <summary>
    /// Waits for the queue to exist (the Api declares and binds it on its first publish; declaring it here could
    /// contradict its arguments, e.g. a quorum queue), then consumes until <paramref name="ct"/> is cancelled.
    /// </summary>
    public async Task ConsumeAsync(CancellationToken ct)
    {
        var connection = _connection ?? throw new InvalidOperationException("ConnectAsync first.");
        while (true)
        {
            var channel = await connection.CreateChannelAsync(cancellationToken: ct);
            try
            {
                await channel.QueueDeclarePassiveAsync(_settings.Queue, ct);
                _channel = channel;
                break;
            }
            catch (OperationInterruptedException)
            {
                // 404: not declared yet. The broker closed the channel; try again shortly.
                await channel.DisposeAsync();
                await Task.Delay(TimeSpan.FromMilliseconds(250), ct);
            }
        }
        await _channel.BasicQosAsync(0, _settings.Prefetch, global: false, ct);
        var consumer = new AsyncEventingBasicConsumer(_channel);
        consumer.ReceivedAsync += OnReceivedAsync;
        await _channel.BasicConsumeAsync(_settings.Queue, autoAck: false, consumer, ct);
        await Task.Delay(Timeout.Infinite, ct).ContinueWith(_ => { }, TaskScheduler.Default);
    }

    private async Task OnReceivedAsync(object sender, BasicDeliverEventArgs delivery)
    {
        var channel = _channel!;
        NaiveOutcome outcome;
        try
        {
            // The body is only valid inside this handler; HandleAsync is done with it before returning.
            outcome = await HandleAsync(delivery.Body, delivery.CancellationToken);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            Interlocked.Increment(ref _requeued);
            await channel.BasicNackAsync(delivery.DeliveryTag, multiple: false, requeue: true);
            return;
        }
        if (outcome == NaiveOutcome.Unreadable)
        {
            Interlocked.Increment(ref _unreadable);
            await channel.BasicRejectAsync(delivery.DeliveryTag, requeue: false);
            return;
        }
        if (outcome == NaiveOutcome.CalledBack)
            Interlocked.Increment(ref _calledBack);
        else
            Interlocked.Increment(ref _noCallback);
        await channel.BasicAckAsync(delivery.DeliveryTag, multiple: false);
    }

    /// <summary>One message: read the envelope, POST the channel, POST the callback. Throws when a POST fails (requeue).</summary>
    public async Task<NaiveOutcome> HandleAsync(ReadOnlyMemory<byte> envelope, CancellationToken ct)
    {
        if (Read(envelope.Span) is not { } message)
            return NaiveOutcome.Unreadable;
        var callback = message.Contract == ContractNames.B2B ? message.Request : null;
        Uri? callbackUrl = null;
        if (callback is not null && (callback.Token is not { Length: > 0 } || !AllowedCallback(callback.CallbackUrl, out callbackUrl)))
            return NaiveOutcome.Unreadable;

        if (_settings.ChannelUrl is { } channelUrl && (_settings.ChannelActions.Count == 0 || _settings.ChannelActions.Contains(message.ActionName)))
        {
            using var delivery = new HttpRequestMessage(HttpMethod.Post, channelUrl) { Content = Json(ChannelBody(message)) };
            using var answer = await _http.SendAsync(delivery, ct);
            answer.EnsureSuccessStatusCode();
        }
        if (callback is null)
            return NaiveOutcome.NoCallback;

        using var request = new HttpRequestMessage(HttpMethod.Post, callbackUrl) { Content = Json(CallbackBody(message)) };
        try
        {
            // Headers.Add validates (no CR/LF): the values came from a platform call.
            request.Headers.Add("X-Callback-Token", callback.Token);
            request.Headers.Add("X-Request-Id", message.RequestId);
        }
        catch (FormatException)
        {
            return NaiveOutcome.Unreadable;
        }
        using var response = await _http.SendAsync(request, ct);
        response.EnsureSuccessStatusCode();
        return NaiveOutcome.CalledBack;
    }

    /// <summary>The <see cref="ActionAccepted"/> inside a MassTransit envelope (<c>{"message": {…}, …}</c>), or null.</summary>
    public static ActionAccepted? Read(ReadOnlySpan<byte> envelope)
    {
        try
        {
            var reader = new Utf8JsonReader(envelope);
            using var document = JsonDocument.ParseValue(ref reader);
            return document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("message", out var message)
                ? message.Deserialize<ActionAccepted>(Bus)
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private bool AllowedCallback(string? url, out Uri? uri) =>
        Uri.TryCreate(url, UriKind.Absolute, out uri) && uri.Scheme is "http" or "https" && _settings.CallbackHosts.Contains(uri.Host);

    /// <summary>What the bench actions' webhook channel sends: the lead's email and id.</summary>
    private static object ChannelBody(ActionAccepted message) => new
    {
        email = message.Request?.ObjectData?.ObjectContext?.LeadData?["email"]?.ToString(),
        lead = message.Request?.ObjectData?.ObjectContext?.LeadId,
        requestId = message.RequestId,
    };

    /// <summary>A success callback naming the entity (contract §4.2), without accessor values or a chosen path.</summary>
    public static CallbackRequest CallbackBody(ActionAccepted message)
    {
        var data = message.Request?.ObjectData;
        var context = data?.ObjectContext;
        var item = new CallbackObjectData
        {
            ActivityData = new ActivityData { Success = true },
            LeadData = data?.ObjectType == "lead" && long.TryParse(context?.LeadId, out var lead) ? new EntityCallbackData { Id = lead } : null,
            AccountData = data?.ObjectType == "account" && long.TryParse(context?.AccountId, out var account) ? new EntityCallbackData { Id = account } : null,
            AccountPersonData = data?.ObjectType == "accountPerson"
                ? context?.AccountPersonRelationships?.Where(r => r is { AccountPersonRelId: not null, AccountId: not null, PersonId: not null })
                    .Select(r => new AccountPersonCallbackData { AccountPersonRelId = r!.AccountPersonRelId!.Value, AccountId = r.AccountId!.Value, PersonId = r.PersonId!.Value })
                    .ToList()
                : null,
        };
        return new CallbackRequest([item]);
    }

    private static ByteArrayContent Json<T>(T value)
    {
        var content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(value, ContractJson.Options));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = Encoding.UTF8.WebName };
        return content;
    }

    public async ValueTask DisposeAsync()
    {
        if (_channel is not null)
        {
            try
            {
                await _channel.CloseAsync();
            }
            catch (AlreadyClosedException)
            {
            }
            await _channel.DisposeAsync();
        }
        if (_connection is not null)
            await _connection.DisposeAsync();
    }
}
