namespace DistBuild.Scheduler.Cas;

/// <summary>A blob the store refused: its content does not match its digest, or it is larger than allowed. Nothing was stored.</summary>
public sealed class BlobRejectedException(string message) : Exception(message);
