namespace ExternalAction.Store.Retention;

/// <summary>
/// How long the status table keeps what it stores about finished requests (<c>ExternalAction:Store:Retention</c>).
/// Ages count from a request's <c>received_at</c>; only rows in a final state (<see cref="RequestStatuses.Final"/>)
/// are ever cleared or deleted. 0 switches a step off.
/// </summary>
public sealed class RetentionOptions
{
    public const string Section = "ExternalAction:Store:Retention";

    /// <summary>After this many days the request payload and callback body of a final row are cleared (the row stays). 0 = keep them.</summary>
    public int PayloadDays { get; set; } = 30;

    /// <summary>After this many days a final row and its history are deleted. 0 = keep rows.</summary>
    public int RowDays { get; set; } = 365;

    /// <summary>Minutes between purges; the first runs one interval after the host starts.</summary>
    public int IntervalMinutes { get; set; } = 60;

    /// <summary>Rows per purge transaction (at most 1,000: SQL Server takes at most 2,100 parameters per statement).</summary>
    public int BatchSize { get; set; } = 500;

    public const int MaxBatchSize = 1000;

    public bool Enabled => PayloadDays > 0 || RowDays > 0;
}
