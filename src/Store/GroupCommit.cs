using System.Data.Common;
using System.Diagnostics.Metrics;
using System.Threading.Channels;

namespace ExternalAction.Store;

/// <summary>
/// Group commit for the Processor's per-request writes (claims and status updates, <see cref="StatusStore"/>): a call
/// that arrives while a transaction is being written waits for it, then goes with every other call that arrived
/// meanwhile in the next one — one transaction, one commit (one WAL flush) for the lot. By default nothing waits for
/// company: a call alone on an idle store is written at once, so latency stays that of one statement and the
/// amortisation grows with the load (the classic database group commit, done before the database). A gather window
/// (<c>GatherMs</c>) makes a writer that took a call wait that long for more, so calls share transactions at light
/// load too, at that cost in latency.
/// <para>
/// Guarantees are each call's own: its statement is committed before its task completes, so "claim before the side
/// effect, outcome recorded after it" holds call by call. A batch runs its calls in request-id order (the Api's row
/// writer inserts in the same order), so two batches, or a batch and an Api batch, lock rows in one order and never
/// deadlock each other. Calls of one request never share a batch (a consumer awaits each before the next). If
/// anything in a batch fails (a constraint, a deadlock chosen by the database, an outage, a commit that failed), the
/// whole transaction is rolled back and every call of it runs again alone, so one bad call fails only itself; a commit
/// whose outcome was lost with the connection is the same ambiguity a single statement has (the calls' conditions make
/// running them again harmless: a claim finds its row leased and comes back after the lease, an update finds it moved).
/// </para>
/// </summary>
internal sealed class GroupCommit : IAsyncDisposable
{
    private static readonly Meter Meter = new("ExternalAction.Store");
    private static readonly Histogram<int> BatchSize = Meter.CreateHistogram<int>(
        "externalaction.store.group_commit.calls", unit: "{call}", description: "Status-store calls written in one transaction by the group commit.");

    private readonly DbDataSource _db;
    private readonly int _maxBatch;
    private readonly TimeSpan _gather;
    private readonly TimeProvider _clock;
    private readonly Channel<Call> _queue = Channel.CreateUnbounded<Call>();
    private readonly Task[] _writers;
    private long _transactions;
    private long _calls;

    /// <param name="writers">Transactions written at the same time (each on a connection of its own).</param>
    /// <param name="maxBatch">The most calls in one transaction.</param>
    /// <param name="gather">How long a writer waits for more calls after the first (zero: not at all).</param>
    public GroupCommit(DbDataSource db, int writers, int maxBatch, TimeSpan gather = default, TimeProvider? clock = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(writers);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxBatch);
        ArgumentOutOfRangeException.ThrowIfLessThan(gather, TimeSpan.Zero);
        _db = db;
        _maxBatch = maxBatch;
        _gather = gather;
        _clock = clock ?? TimeProvider.System;
        _writers = Enumerable.Range(0, writers).Select(_ => Task.Run(WriteLoopAsync)).ToArray();
    }

    /// <summary>Transactions written and calls they carried, since start (for tests and diagnostics).</summary>
    public (long Transactions, long Calls) Written => (Interlocked.Read(ref _transactions), Interlocked.Read(ref _calls));

    /// <summary>
    /// Runs <paramref name="work"/> in the next transaction: its statements on the given connection and transaction
    /// (shared with other calls; never committed or rolled back by <paramref name="work"/>), or, when it runs alone, with
    /// a null transaction (it then does what it does outside a batch). <paramref name="key"/> orders the batch (the
    /// request id).
    /// </summary>
    public Task<T> RunAsync<T>(string key, Func<DbConnection, DbTransaction?, CancellationToken, Task<T>> work, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        var call = new Call<T>(key, work, ct);
        if (!_queue.Writer.TryWrite(call))
            throw new ObjectDisposedException(nameof(GroupCommit), "The status store is shutting down.");
        return call.Task;
    }

    private async Task WriteLoopAsync()
    {
        var batch = new List<Call>(_maxBatch);
        while (await _queue.Reader.WaitToReadAsync())
        {
            batch.Clear();
            Take(batch);
            if (batch.Count == 0)
                continue;
            if (_gather > TimeSpan.Zero && batch.Count < _maxBatch)
                await GatherAsync(batch);
            batch.Sort(static (a, b) => string.CompareOrdinal(a.Key, b.Key));
            if (batch.Count == 1 || !await TogetherAsync(batch))
            {
                foreach (var call in batch)
                    await AloneAsync(call);
            }
        }
    }

    private void Take(List<Call> batch)
    {
        while (batch.Count < _maxBatch && _queue.Reader.TryRead(out var call))
        {
            if (!call.CancelIfRequested())
                batch.Add(call);
        }
    }

    /// <summary>Adds the calls that arrive within the gather window, until the batch is full.</summary>
    private async Task GatherAsync(List<Call> batch)
    {
        using var window = new CancellationTokenSource(_gather, _clock);
        try
        {
            while (batch.Count < _maxBatch && await _queue.Reader.WaitToReadAsync(window.Token))
                Take(batch);
        }
        catch (OperationCanceledException) when (window.IsCancellationRequested)
        {
            // the window closed: write what came
        }
    }

    /// <summary>Every call of the batch in one transaction; false (all rolled back, nothing completed) when anything failed.</summary>
    private async Task<bool> TogetherAsync(List<Call> batch)
    {
        try
        {
            await using var connection = await _db.OpenConnectionAsync();
            await using var tx = await connection.BeginTransactionAsync();
            foreach (var call in batch)
                await call.RunAsync(connection, tx, CancellationToken.None);
            await tx.CommitAsync();
        }
        catch (Exception)
        {
            return false; // each call runs again alone and meets its own failure, if it has one
        }
        Counted(batch.Count);
        foreach (var call in batch)
            call.Complete();
        return true;
    }

    private async Task AloneAsync(Call call)
    {
        try
        {
            await using var connection = await _db.OpenConnectionAsync(call.CancellationToken);
            await call.RunAsync(connection, null, call.CancellationToken);
        }
        catch (Exception e)
        {
            call.Fail(e);
            return;
        }
        Counted(1);
        call.Complete();
    }

    private void Counted(int calls)
    {
        Interlocked.Increment(ref _transactions);
        Interlocked.Add(ref _calls, calls);
        BatchSize.Record(calls);
    }

    /// <summary>Takes no more calls; the writers still write the ones queued, then stop.</summary>
    public void Complete() => _queue.Writer.TryComplete();

    public async ValueTask DisposeAsync()
    {
        Complete();
        await Task.WhenAll(_writers);
    }

    private abstract class Call(string key, CancellationToken ct)
    {
        public string Key { get; } = key;
        public CancellationToken CancellationToken { get; } = ct;
        public abstract Task RunAsync(DbConnection connection, DbTransaction? tx, CancellationToken ct);
        public abstract void Complete();
        public abstract void Fail(Exception e);
        public abstract bool CancelIfRequested();
    }

    private sealed class Call<T>(string key, Func<DbConnection, DbTransaction?, CancellationToken, Task<T>> work, CancellationToken ct) : Call(key, ct)
    {
        private readonly TaskCompletionSource<T> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private T _result = default!;

        public Task<T> Task => _done.Task;

        public override async Task RunAsync(DbConnection connection, DbTransaction? tx, CancellationToken ct) => _result = await work(connection, tx, ct);

        public override void Complete() => _done.TrySetResult(_result);

        public override void Fail(Exception e)
        {
            if (e is OperationCanceledException && CancellationToken.IsCancellationRequested)
                _done.TrySetCanceled(CancellationToken);
            else
                _done.TrySetException(e);
        }

        public override bool CancelIfRequested() => CancellationToken.IsCancellationRequested && _done.TrySetCanceled(CancellationToken);
    }
}
