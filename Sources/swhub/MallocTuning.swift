import CGlibcMalloc

/// The allocator settings of a process that hosts the hub (`serve`, `demo`, `bench`).
///
/// The hub's threads hand buffers to one another: the tap thread allocates a batch of
/// 64 copies (~66 KB for 1 KB bodies) for libzmq, whose I/O thread frees it once sent; the
/// router and the journal writer do the same with smaller ones. With glibc's default
/// settings each such free at the top of a thread's heap gives the pages back to the kernel
/// (trim threshold 128 KB, lowered again whenever a large block is freed) and the next
/// allocation takes them again, page fault by page fault: measured with `perf`, that was
/// half of the tap thread's time. Fixed thresholds (blocks under 4 MB from the heap, and
/// heaps trimmed only beyond 64 MB free at their top) keep those pages mapped; memory freed
/// in bulk above that still goes back to the kernel.
enum MallocTuning {
    static func apply() {
        _ = mallopt(M_MMAP_THRESHOLD, 4 * 1024 * 1024)
        _ = mallopt(M_TRIM_THRESHOLD, 64 * 1024 * 1024)
    }

    /// Gives the memory freed so far back to the kernel: once the hub is built, what
    /// starting took and let go (decoding the flows' snapshot, reading the journal after
    /// it) would otherwise stay in the process under the trim threshold above.
    static func releaseFreed() {
        _ = malloc_trim(0)
    }
}
