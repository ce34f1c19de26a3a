using System.Data.Common;
using System.Diagnostics.Metrics;
using System.Threading.Channels;
using ExternalAction.Contracts.Messaging;
using ExternalAction.Processor.Engine;
using ExternalAction.Processor.Processing;
using ExternalAction.Store;

namespace ExternalAction.Api.Intake;

/// <summary>
/// Records a "Received" row for every request the intake acknowledged, so support finds it within about a second even
/// while the processing queue has a backlog or no Processor runs, without a second persistent broker write per request
/// (the status queue this replaces doubled the broker's disk work). Once the broker has confirmed a publish,
/// <see cref="IntakePublisher"/> hands the message here, after the decision to answer 200 and off the request's path:
/// a background loop takes what has gathered (up to <see cref="BatchSize"/> rows, waiting <see cref="BatchWindow"/>
/// for more when fewer are there) and inserts it in one transaction. Rows a Processor already created are skipped.
/// <para>
/// The window, and why it loses nothing: a row still in this buffer when the process dies (at most a batch window and
/// the insert in flight), or not buffered because a database outage filled the buffer (<see cref="Capacity"/>), is not
/// written here. Its message is on the broker all the same, and the Processor's claim inserts the row when it takes
/// the message (<see cref="StatusStore.ClaimAsync"/> inserts when absent): support finds such a request later, never
/// not at all. Those rows are counted (<c>externalaction.intake.rows_deferred</c>).
/// </para>
/// </summary>
public sealed class ReceivedRowWriter(ContractRegistry contracts, StatusStore store, StoreOutage outage, TimeProvider clock, ILogger<ReceivedRowWriter> logger)
    : BackgroundService
{
    public const int BatchSize = 200;
    public const int Capacity = 20_000;
    public static readonly TimeSpan BatchWindow = TimeSpan.FromMilliseconds(50);

    /// <summary>How long a stopping host waits for the buffered rows to be written.</summary>
    public static readonly TimeSpan FlushOnStop = TimeSpan.FromSeconds(5);

    private static readonly Meter Meter = new(IntakeMetrics.MeterName);
    private static readonly Counter<long> Deferred = Meter.CreateCounter<long>("externalaction.intake.rows_deferred",
        description: "Acknowledged requests whose Received row this Api did not write (buffer full, database out, host stopping); the Processor's claim writes it.");

    private readonly Channel<ActionAccepted> _buffer = Channel.CreateBounded<ActionAccepted>(new BoundedChannelOptions(Capacity)
    {
        FullMode = BoundedChannelFullMode.Wait, // TryWrite answers false when full: the request is never held up
        SingleReader = true,
    });

    private bool _waiting; // only the one reading loop touches it

    /// <summary>Buffers the row of a confirmed request; never waits. False when it is left to the Processor's claim.</summary>
    public bool Add(ActionAccepted message)
    {
        if (_buffer.Writer.TryWrite(message))
            return true;
        Deferred.Add(1, new KeyValuePair<string, object?>("reason", "buffer_full"));
        return false;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var reader = _buffer.Reader;
        var batch = new List<ActionAccepted>(BatchSize);
        try
        {
            // Reads until the buffer is completed (StopAsync), so what was buffered before the stop is still written.
            while (await reader.WaitToReadAsync(CancellationToken.None))
            {
                Take(reader, batch);
                if (batch.Count < BatchSize && !reader.Completion.IsCompleted)
                {
                    await Task.Delay(BatchWindow, clock, stoppingToken);
                    Take(reader, batch);
                }
                await WriteAsync(batch, stoppingToken);
                batch.Clear();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The host stopped before the buffer drained (FlushOnStop passed): the claims write these rows.
        }
        var left = batch.Count + reader.Count;
        if (left > 0)
        {
            Deferred.Add(left, new KeyValuePair<string, object?>("reason", "stopping"));
            logger.LogWarning("{Count} Received rows were not written before the host stopped; the Processor writes them when it takes their messages.", left);
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _buffer.Writer.TryComplete();
        if (ExecuteTask is { } running)
            await Task.WhenAny(running, Task.Delay(FlushOnStop, clock, cancellationToken)).ConfigureAwait(false);
        await base.StopAsync(cancellationToken);
    }

    private static void Take(ChannelReader<ActionAccepted> reader, List<ActionAccepted> batch)
    {
        while (batch.Count < BatchSize && reader.TryRead(out var message))
            batch.Add(message);
    }

    /// <summary>One transaction for the batch; a database outage is waited out while the buffer takes the next rows.</summary>
    private async Task WriteAsync(List<ActionAccepted> batch, CancellationToken ct)
    {
        var rows = new List<NewRequest>(batch.Count);
        foreach (var message in batch)
        {
            try
            {
                rows.Add(contracts.Adapter(message).Row(message));
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // A bug in an adapter, not the platform's data (it was validated): the claim meets it again and fails the request.
                Deferred.Add(1, new KeyValuePair<string, object?>("reason", "row_error"));
                logger.LogError("The Received row of an accepted request could not be built ({Error}); the Processor's claim writes it.", e.GetType().Name);
            }
        }
        while (true)
        {
            try
            {
                await outage.RunAsync(t => store.InsertReceivedAsync(rows, t), ct);
                if (_waiting)
                    logger.LogWarning("Received rows are written again.");
                _waiting = false;
                return;
            }
            catch (StoreUnavailableException e)
            {
                if (!_waiting)
                    logger.LogWarning("Received rows wait for the status store ({Error}); up to {Capacity} are buffered, the Processor's claims write the rest.",
                        e.Message, Capacity);
                _waiting = true;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Not an outage (a constraint, a bug): trying again would fail the same way. The claims write these rows.
                Deferred.Add(rows.Count, new KeyValuePair<string, object?>("reason", "store_error"));
                logger.LogError("A batch of {Count} Received rows could not be written ({Error}); the Processor writes them when it takes their messages.",
                    rows.Count, e is DbException { SqlState: { } state } ? $"{e.GetType().Name} {state}" : e.GetType().Name);
                return;
            }
        }
    }
}
