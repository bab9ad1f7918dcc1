using System.Buffers;
using System.Security.Cryptography;
using ServeSharp.Storage.Sources;

namespace ServeSharp.Storage.Transfer;

/// <summary>
/// Streams one object to a file, failing the attempt when the store goes silent for longer than the read timeout,
/// and verifying the byte count and any MD5/SHA-256 the store announced.
/// </summary>
internal sealed class ObjectCopier
{
    private const int BufferSize = 256 * 1024;
    private readonly TimeSpan _readTimeout;
    private readonly IDownloadProgress? _progress;

    public ObjectCopier(TimeSpan readTimeout, IDownloadProgress? progress)
    {
        _readTimeout = readTimeout;
        _progress = progress;
    }

    /// <summary>Writes the content to <paramref name="path"/> and returns the byte count.</summary>
    public async Task<long> CopyAsync(RemoteFile file, RemoteContent content, string path, CancellationToken cancellationToken)
    {
        var expectedLength = content.Length ?? file.Size;
        var expectedMd5 = content.Md5 ?? file.Md5;
        _progress?.FileStarted(file.RelativePath, expectedLength);

        using var md5 = expectedMd5 is null ? null : IncrementalHash.CreateHash(HashAlgorithmName.MD5);
        using var sha256 = file.Sha256 is null ? null : IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        long written = 0;
        try
        {
            await using var output = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1, FileOptions.Asynchronous);
            using var idle = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            while (true)
            {
                idle.CancelAfter(_readTimeout);
                int read;
                try
                {
                    read = await content.Stream.ReadAsync(buffer.AsMemory(0, BufferSize), idle.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    throw new TimeoutException($"no data for {_readTimeout.TotalSeconds:0.#} s after {written} bytes");
                }

                if (read == 0)
                {
                    break;
                }

                md5?.AppendData(buffer, 0, read);
                sha256?.AppendData(buffer, 0, read);
                await output.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                written += read;
                _progress?.BytesWritten(file.RelativePath, read);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        if (expectedLength is { } length && length != written)
        {
            throw new TransientStorageException($"received {written} of {length} bytes") { IsIntegrityFailure = true };
        }

        Verify("MD5", md5, expectedMd5);
        Verify("SHA-256", sha256, file.Sha256);
        _progress?.FileCompleted(file.RelativePath);
        return written;
    }

    private static void Verify(string name, IncrementalHash? hash, byte[]? expected)
    {
        if (hash is null || expected is null)
        {
            return;
        }

        var actual = hash.GetHashAndReset();
        if (!CryptographicOperations.FixedTimeEquals(actual, expected))
        {
            throw new TransientStorageException(
                $"{name} mismatch: the store announced {Convert.ToHexStringLower(expected)}, the data has {Convert.ToHexStringLower(actual)}")
            {
                IsIntegrityFailure = true,
            };
        }
    }
}
