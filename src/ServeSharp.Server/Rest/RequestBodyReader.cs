using System.Buffers;
using Microsoft.AspNetCore.Http;
using ServeSharp.Abstractions;

namespace ServeSharp.Server.Rest;

/// <summary>
/// Reads a whole REST request body into a pooled buffer, refusing bodies over the configured limit with
/// <see cref="InferenceErrorKind.PayloadTooLarge"/> (413) before or while reading.
/// </summary>
internal static class RequestBodyReader
{
    public static async ValueTask<PooledBufferWriter> ReadAsync(HttpRequest request, long limit, CancellationToken cancellationToken)
    {
        var declared = request.ContentLength;
        if (declared > limit)
        {
            throw TooLarge(declared.Value, limit);
        }

        var body = new PooledBufferWriter((int)Math.Clamp(declared ?? 4096, 1, 1 << 20));
        try
        {
            var reader = request.BodyReader;
            while (true)
            {
                var result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                var buffer = result.Buffer;
                if (body.WrittenCount + buffer.Length > limit)
                {
                    reader.AdvanceTo(buffer.End);
                    throw TooLarge(body.WrittenCount + buffer.Length, limit, atLeast: true);
                }

                foreach (var segment in buffer)
                {
                    segment.Span.CopyTo(body.GetSpan(segment.Length));
                    body.Advance(segment.Length);
                }

                reader.AdvanceTo(buffer.End);
                if (result.IsCompleted || result.IsCanceled)
                {
                    return body;
                }
            }
        }
        catch
        {
            body.Dispose();
            throw;
        }
    }

    private static InferenceException TooLarge(long size, long limit, bool atLeast = false) =>
        new(InferenceErrorKind.PayloadTooLarge,
            $"Request body of {(atLeast ? "at least " : string.Empty)}{size} bytes exceeds the limit of {limit} bytes " +
            "(raise it with --max-body-size).");
}
