// Scenarios start real hosts and rustc on a small shared machine; running them one at a time keeps
// heartbeats and timeouts honest.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
