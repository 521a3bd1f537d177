using System.Globalization;
using System.Net;
using System.Net.Http.Headers;

namespace MtlsGateway.Identity.Revocation;

/// <summary>
/// GETs CRLs from distribution points with one dedicated <see cref="SocketsHttpHandler"/>: no proxy (a CRL URL comes
/// from a partner's certificate, the environment's proxy settings should not decide where it goes), no cookies, no
/// decompression (the size cap counts what the server sends), redirects followed only to other <c>http://</c> URLs and at
/// most <see cref="MaxRedirects"/> times, a connect timeout and an overall timeout per request, and a body read in a
/// stream and cut at the store's <c>MaxCrlSize</c> (OCSP answers at <see cref="OcspAnswers.MaxAnswerSize"/>).
/// </summary>
internal sealed class CrlDownloader : IDisposable
{
    public const int MaxRedirects = 3;

    private readonly HttpClient _client;

    public CrlDownloader(HttpMessageHandler? handler = null)
    {
        _client = new HttpClient(handler ?? CreateHandler(), disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan };
        _client.DefaultRequestHeaders.UserAgent.ParseAdd("mtls-gateway-crl-fetcher");
    }

    public static SocketsHttpHandler CreateHandler() => new()
    {
        AllowAutoRedirect = false,
        UseProxy = false,
        UseCookies = false,
        AutomaticDecompression = DecompressionMethods.None,
        ConnectTimeout = TimeSpan.FromSeconds(5),
        MaxResponseHeadersLength = 16,
        MaxConnectionsPerServer = 2,
        PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
    };

    /// <param name="url">An <c>http://</c> URL.</param>
    /// <param name="etag">The ETag of the list held, for a conditional GET.</param>
    /// <param name="lastModified">The Last-Modified of the list held, for a conditional GET.</param>
    /// <param name="maxSize">Largest body accepted, in bytes.</param>
    /// <param name="timeout">The whole exchange, redirects and body included.</param>
    /// <param name="cancellation">Stops the download (the gateway is stopping).</param>
    public Task<CrlDownload> GetAsync(Uri url, string? etag, DateTimeOffset? lastModified, long maxSize, TimeSpan timeout, CancellationToken cancellation) =>
        SendAsync(url, to =>
        {
            var request = new HttpRequestMessage(HttpMethod.Get, to);
            if (etag is not null && EntityTagHeaderValue.TryParse(etag, out var tag))
            {
                request.Headers.IfNoneMatch.Add(tag);
            }

            if (lastModified is { } since)
            {
                request.Headers.IfModifiedSince = since;
            }

            return request;
        }, conditional: etag is not null || lastModified is not null, maxSize, "MaxCrlSize", timeout, cancellation);

    /// <summary>POSTs an OCSP request (RFC 6960 A.1, <c>application/ocsp-request</c>); the same rules as CRLs, a redirect
    /// followed only when it keeps the method (307, 308).</summary>
    public Task<CrlDownload> PostOcspAsync(Uri url, byte[] body, long maxSize, TimeSpan timeout, CancellationToken cancellation) =>
        SendAsync(url, to =>
        {
            var content = new ByteArrayContent(body);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/ocsp-request");
            var request = new HttpRequestMessage(HttpMethod.Post, to) { Content = content };
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/ocsp-response"));
            return request;
        }, conditional: false, maxSize, "the OCSP answer cap", timeout, cancellation);

    private async Task<CrlDownload> SendAsync(
        Uri url, Func<Uri, HttpRequestMessage> create, bool conditional, long maxSize, string cap, TimeSpan timeout, CancellationToken cancellation)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        deadline.CancelAfter(timeout);
        try
        {
            for (var hop = 0; ; hop++)
            {
                using var request = create(url);
                using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token);
                var status = (int)response.StatusCode;
                if (status is 301 or 302 or 303 or 307 or 308)
                {
                    if (response.Headers.Location is not { } location)
                    {
                        return CrlDownload.Failed($"HTTP {status} without a Location");
                    }

                    var next = location.IsAbsoluteUri ? location : new Uri(url, location);
                    if (next.Scheme != Uri.UriSchemeHttp)
                    {
                        return CrlDownload.Refused($"redirected to {next.Scheme}: URL {next}; only http:// redirects are followed");
                    }

                    if (hop >= MaxRedirects)
                    {
                        return CrlDownload.Refused($"more than {MaxRedirects} redirects");
                    }

                    if (request.Method == HttpMethod.Post && status is not (307 or 308))
                    {
                        return CrlDownload.Refused($"HTTP {status} would turn the POST into a GET; only 307 and 308 redirects are followed for OCSP");
                    }

                    url = next;
                    continue;
                }

                if (response.StatusCode == HttpStatusCode.NotModified && conditional)
                {
                    return new CrlDownload(CrlDownloadStatus.NotModified, null, request.Headers.IfNoneMatch.FirstOrDefault()?.ToString(), request.Headers.IfModifiedSince, null);
                }

                if (response.StatusCode != HttpStatusCode.OK)
                {
                    return CrlDownload.Failed($"HTTP {status} {response.ReasonPhrase}".TrimEnd());
                }

                if (response.Content.Headers.ContentLength is { } length && length > maxSize)
                {
                    return CrlDownload.Refused(TooLarge(length.ToString(CultureInfo.InvariantCulture), maxSize, cap));
                }

                var body = await ReadCappedAsync(response.Content, maxSize, deadline.Token);
                return body is null
                    ? CrlDownload.Refused(TooLarge("more than " + maxSize.ToString(CultureInfo.InvariantCulture), maxSize, cap))
                    : new CrlDownload(CrlDownloadStatus.Ok, body, response.Headers.ETag?.ToString(), response.Content.Headers.LastModified, null);
            }
        }
        catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
        {
            return CrlDownload.Failed($"no complete answer within {Durations.Humanize(timeout)}");
        }
        catch (HttpRequestException e)
        {
            return CrlDownload.Failed(e.InnerException is { } inner ? $"{e.Message} ({inner.Message})" : e.Message);
        }
        catch (IOException e)
        {
            return CrlDownload.Failed(e.Message);
        }
    }

    public void Dispose() => _client.Dispose();

    private static string TooLarge(string size, long maxSize, string cap) =>
        $"the answer is {size} bytes, larger than {cap} {maxSize.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>The body, or null as soon as it passes <paramref name="maxSize"/> (the rest is never read).</summary>
    private static async Task<byte[]?> ReadCappedAsync(HttpContent content, long maxSize, CancellationToken cancellation)
    {
        await using var stream = await content.ReadAsStreamAsync(cancellation);
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await stream.ReadAsync(chunk, cancellation)) > 0)
        {
            if (buffer.Length + read > maxSize)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }
}
