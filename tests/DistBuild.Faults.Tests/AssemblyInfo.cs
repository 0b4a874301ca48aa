// Every test starts real hosts and compiles; on a 2-core machine they run one at a time so a fault is caught
// where it was meant to be, not in a compile starved by another test.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
