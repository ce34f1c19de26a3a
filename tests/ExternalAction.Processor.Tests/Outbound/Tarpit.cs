using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace ExternalAction.Processor.Tests.Outbound;

/// <summary>Accepts TCP connections on loopback and never answers (closes them when disposed).</summary>
internal sealed class Tarpit : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly ConcurrentBag<TcpClient> _accepted = [];
    private readonly SemaphoreSlim _connected = new(0);

    public Tarpit()
    {
        _listener.Start();
        _ = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;
    public int Connections => _accepted.Count;

    /// <summary>Cancels the requests the tarpit holds and waits for them to end.</summary>
    public static async Task AbandonAsync(CancellationTokenSource stop, params Task[] held)
    {
        await stop.CancelAsync();
        foreach (var task in held)
        {
            try { await task; }
            catch (OperationCanceledException) { }
        }
    }

    public async Task WaitForConnectionsAsync(int count)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        for (var i = 0; i < count; i++)
            await _connected.WaitAsync(timeout.Token);
    }

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                _accepted.Add(await _listener.AcceptTcpClientAsync());
                _connected.Release();
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }
    }

    public void Dispose()
    {
        _listener.Stop();
        foreach (var client in _accepted)
            client.Dispose();
        _connected.Dispose();
    }
}
