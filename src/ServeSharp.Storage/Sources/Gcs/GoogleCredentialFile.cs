using System.Text.Json;
using System.Text.Json.Serialization;

namespace ServeSharp.Storage.Sources.Gcs;

/// <summary>The JSON file named by <c>GOOGLE_APPLICATION_CREDENTIALS</c> (service account key or authorized user).</summary>
internal sealed class GoogleCredentialFile
{
    [JsonPropertyName("type")]
    public string? Type { get; set; }

    [JsonPropertyName("client_email")]
    public string? ClientEmail { get; set; }

    [JsonPropertyName("private_key")]
    public string? PrivateKey { get; set; }

    [JsonPropertyName("private_key_id")]
    public string? PrivateKeyId { get; set; }

    [JsonPropertyName("token_uri")]
    public string? TokenUri { get; set; }

    [JsonPropertyName("client_id")]
    public string? ClientId { get; set; }

    [JsonPropertyName("client_secret")]
    public string? ClientSecret { get; set; }

    [JsonPropertyName("refresh_token")]
    public string? RefreshToken { get; set; }

    /// <summary>Reads and checks the file; errors name the file and the missing field, never its contents.</summary>
    public static GoogleCredentialFile Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new StorageException(StorageErrorKind.Configuration, $"GOOGLE_APPLICATION_CREDENTIALS points to {path}, which does not exist.");
        }

        GoogleCredentialFile? file;
        try
        {
            file = JsonSerializer.Deserialize(File.ReadAllText(path), GoogleJsonContext.Default.GoogleCredentialFile);
        }
        catch (JsonException)
        {
            throw new StorageException(StorageErrorKind.Configuration, $"Google credentials file {path} is not valid JSON.");
        }

        return file?.Type switch
        {
            "service_account" when file.ClientEmail is not null && file.PrivateKey is not null => file,
            "authorized_user" when file.ClientId is not null && file.ClientSecret is not null && file.RefreshToken is not null => file,
            "service_account" => throw new StorageException(StorageErrorKind.Configuration, $"Google credentials file {path} lacks client_email or private_key."),
            "authorized_user" => throw new StorageException(StorageErrorKind.Configuration, $"Google credentials file {path} lacks client_id, client_secret or refresh_token."),
            _ => throw new StorageException(StorageErrorKind.Configuration, $"Google credentials file {path} has unsupported type '{file?.Type}' (expected service_account or authorized_user)."),
        };
    }
}

[JsonSerializable(typeof(GoogleCredentialFile))]
[JsonSerializable(typeof(GcsObjectList))]
[JsonSerializable(typeof(GcsObject))]
[JsonSerializable(typeof(GoogleJwtClaims))]
[JsonSerializable(typeof(Dictionary<string, string>))]
internal sealed partial class GoogleJsonContext : JsonSerializerContext;
