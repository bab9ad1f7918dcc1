using System.Net;
using Amazon.Runtime;
using Azure;

namespace ServeSharp.Storage.Transfer;

/// <summary>Decides which failures are worth another attempt: network drops, timeouts, throttling and 5xx.</summary>
internal static class TransientErrors
{
    public static bool IsTransient(Exception? exception, CancellationToken cancellationToken)
    {
        if (exception is null || cancellationToken.IsCancellationRequested)
        {
            return false;
        }

        return exception switch
        {
            StorageException => false,
            TransientStorageException => true,
            OperationCanceledException => true, // not the caller's token: a timeout
            TimeoutException => true,
            HttpRequestException http => http.StatusCode is null || IsTransientStatus((int)http.StatusCode.Value),
            IOException => true,
            AmazonServiceException s3 => IsTransientStatus((int)s3.StatusCode) || s3.InnerException is IOException or HttpRequestException,
            AmazonClientException client => client.InnerException is IOException or HttpRequestException or TimeoutException or OperationCanceledException,
            RequestFailedException azure => azure.Status == 0 || IsTransientStatus(azure.Status),
            AggregateException aggregate => aggregate.InnerExceptions.All(e => IsTransient(e, cancellationToken)),
            _ => false,
        };
    }

    public static bool IsTransientStatus(int status)
    {
        return status is (int)HttpStatusCode.RequestTimeout or (int)HttpStatusCode.TooManyRequests or >= 500;
    }
}
