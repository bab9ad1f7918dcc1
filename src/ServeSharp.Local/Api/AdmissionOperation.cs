namespace ServeSharp.Local.Api;

/// <summary>The write an admission hook is asked about.</summary>
public enum AdmissionOperation
{
    /// <summary>POST of a new object.</summary>
    Create,

    /// <summary>PUT or PATCH of an existing object's spec or metadata.</summary>
    Update,

    /// <summary>DELETE of an object.</summary>
    Delete,
}
