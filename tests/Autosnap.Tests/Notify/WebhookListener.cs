using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace Autosnap.Tests.Notify
{
    /// <summary>A request the listener received: method, target, headers and body.</summary>
    internal sealed class ReceivedRequest
    {
        public ReceivedRequest(string method, string target, IReadOnlyDictionary<string, string> headers, string body)
        {
            Method = method;
            Target = target;
            Headers = headers;
            Body = body;
        }

        public string Method { get; }
        public string Target { get; }
        public IReadOnlyDictionary<string, string> Headers { get; }
        public string Body { get; }
    }

    /// <summary>
    /// A webhook on a free loopback port, on a raw TcpListener: it reads each request whole and answers with the status
    /// <see cref="Answer"/> gives for it (by its 1-based number), or never when that is null (a dead webhook: the
    /// connection is accepted and held open). Every request is recorded, and <see cref="Received"/> completes with the first.
    /// </summary>
    internal sealed class WebhookListener : IAsyncDisposable
    {
        private readonly TcpListener _listener = new TcpListener(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _stop = new CancellationTokenSource();
        private readonly List<TcpClient> _held = new List<TcpClient>();
        private readonly Task _loop;
        private readonly TaskCompletionSource<ReceivedRequest> _first = new TaskCompletionSource<ReceivedRequest>(TaskCreationOptions.RunContinuationsAsynchronously);

        public WebhookListener(Func<int, (int Status, string? RetryAfter)?> answer)
        {
            Answer = answer;
            _listener.Start();
            _loop = Task.Run(AcceptLoopAsync);
        }

        public Func<int, (int Status, string? RetryAfter)?> Answer { get; }

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        public ConcurrentQueue<ReceivedRequest> Requests { get; } = new ConcurrentQueue<ReceivedRequest>();

        public Task<ReceivedRequest> Received => _first.Task;

        /// <summary>http://[userInfo@]127.0.0.1:port + pathAndQuery.</summary>
        public string Url(string pathAndQuery, string? userInfo = null) =>
            "http://" + (userInfo == null ? string.Empty : userInfo + "@") + "127.0.0.1:" + Port.ToString(CultureInfo.InvariantCulture) + pathAndQuery;

        private async Task AcceptLoopAsync()
        {
            int count = 0;
            while (!_stop.IsCancellationRequested)
            {
                TcpClient client;
                try
                {
                    client = await _listener.AcceptTcpClientAsync(_stop.Token);
                }
                catch (Exception) when (_stop.IsCancellationRequested)
                {
                    return;
                }
                _ = Task.Run(async () =>
                {
                    try
                    {
                        NetworkStream stream = client.GetStream();
                        ReceivedRequest request = await ReadAsync(stream);
                        int number = Interlocked.Increment(ref count);
                        Requests.Enqueue(request);
                        _first.TrySetResult(request);
                        (int Status, string? RetryAfter)? answer = Answer(number);
                        if (answer == null)
                        {
                            lock (_held) _held.Add(client);
                            return;
                        }
                        string head = $"HTTP/1.1 {answer.Value.Status} X\r\nContent-Length: 0\r\nConnection: close\r\n" +
                                      (answer.Value.RetryAfter == null ? string.Empty : $"Retry-After: {answer.Value.RetryAfter}\r\n") + "\r\n";
                        byte[] bytes = Encoding.ASCII.GetBytes(head);
                        await stream.WriteAsync(bytes, 0, bytes.Length);
                        client.Dispose();
                    }
                    catch (IOException)
                    {
                        client.Dispose();
                    }
                });
            }
        }

        private static async Task<ReceivedRequest> ReadAsync(NetworkStream stream)
        {
            var buffer = new MemoryStream();
            var chunk = new byte[8192];
            int headerEnd = -1;
            while (headerEnd < 0)
            {
                int read = await stream.ReadAsync(chunk, 0, chunk.Length);
                if (read == 0) throw new IOException("The client closed the connection before the request was whole.");
                buffer.Write(chunk, 0, read);
                headerEnd = IndexOf(buffer.ToArray(), Encoding.ASCII.GetBytes("\r\n\r\n"));
            }
            byte[] all = buffer.ToArray();
            string[] lines = Encoding.ASCII.GetString(all, 0, headerEnd).Split("\r\n");
            string[] start = lines[0].Split(' ');
            var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (string line in lines[1..])
            {
                int colon = line.IndexOf(':');
                headers[line[..colon].Trim()] = line[(colon + 1)..].Trim();
            }
            int length = headers.TryGetValue("Content-Length", out string? text) ? int.Parse(text, CultureInfo.InvariantCulture) : 0;
            var body = new MemoryStream();
            body.Write(all, headerEnd + 4, all.Length - headerEnd - 4);
            while (body.Length < length)
            {
                int read = await stream.ReadAsync(chunk, 0, chunk.Length);
                if (read == 0) break;
                body.Write(chunk, 0, read);
            }
            return new ReceivedRequest(start[0], start[1], headers, Encoding.UTF8.GetString(body.ToArray()));
        }

        private static int IndexOf(byte[] data, byte[] pattern)
        {
            for (int i = 0; i + pattern.Length <= data.Length; i++)
            {
                int j = 0;
                while (j < pattern.Length && data[i + j] == pattern[j]) j++;
                if (j == pattern.Length) return i;
            }
            return -1;
        }

        public async ValueTask DisposeAsync()
        {
            _stop.Cancel();
            _listener.Stop();
            try { await _loop; } catch (Exception) { }
            lock (_held) foreach (TcpClient client in _held) client.Dispose();
            _stop.Dispose();
        }
    }
}
