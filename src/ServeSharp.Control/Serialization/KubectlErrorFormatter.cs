namespace ServeSharp.Control.Serialization;

/// <summary>
/// Renders a <see cref="ManifestProblem"/> exactly as <c>kubectl apply -f FILE</c> prints the corresponding failure, so
/// users see the messages they know from a cluster.
/// </summary>
public static class KubectlErrorFormatter
{
    /// <summary>Formats the problem of <paramref name="document"/> read from <paramref name="source"/>.</summary>
    public static string Format(ManifestDocument document, string source)
    {
        ArgumentNullException.ThrowIfNull(document);
        var problem = document.Problem ?? throw new ArgumentException("document has no problem", nameof(document));
        var version = document.ApiVersion.Contains('/', StringComparison.Ordinal) ? document.ApiVersion.Split('/')[1] : document.ApiVersion;
        return problem.Kind switch
        {
            ManifestProblemKind.MissingTypeInfo =>
                $"error: error validating \"{source}\": error validating data: [{string.Join(", ", problem.Details)}]; " +
                "if you choose to ignore these errors, turn validation off with --validate=false",
            ManifestProblemKind.UnknownKind =>
                $"error: resource mapping not found for name: \"{document.Name}\" namespace: \"{document.Namespace}\" from \"{source}\": " +
                $"no matches for kind \"{document.Kind}\" in version \"{document.ApiVersion}\"\nensure CRDs are installed first",
            ManifestProblemKind.MissingName =>
                $"error: error when retrieving current configuration of:\nResource: \"{GroupVersion(document.ApiVersion)}, Resource={ResourceKinds.Plural(document.ApiVersion, document.Kind)}\", " +
                $"GroupVersionKind: \"{GroupVersion(document.ApiVersion)}, Kind={document.Kind}\"\n" +
                $"Name: \"\", Namespace: \"{NamespaceOf(document)}\"\nfrom server for: \"{source}\": resource name may not be empty",
            ManifestProblemKind.StrictDecoding =>
                $"Error from server (BadRequest): error when creating \"{source}\": {document.Kind} in version \"{version}\" " +
                $"cannot be handled as a {document.Kind}: strict decoding error: {string.Join(", ", problem.Details)}",
            ManifestProblemKind.Invalid => problem.Details.Count == 1
                ? $"The {document.Kind} \"{document.Name}\" is invalid: {problem.Details[0]}"
                : $"The {document.Kind} \"{document.Name}\" is invalid: \n* {string.Join("\n* ", problem.Details)}",
            ManifestProblemKind.Denied =>
                $"Error from server (Forbidden): error when creating \"{source}\": admission webhook \"{problem.Webhook}\" denied the request: " +
                string.Join("; ", problem.Details),
            _ => string.Join("; ", problem.Details),
        };
    }

    private static string GroupVersion(string apiVersion) => apiVersion;

    private static string NamespaceOf(ManifestDocument document) =>
        !ResourceKinds.IsNamespaced(document.ApiVersion, document.Kind) ? "" :
        document.Namespace.Length == 0 ? "default" : document.Namespace;
}
