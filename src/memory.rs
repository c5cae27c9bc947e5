//! Leaf: how the process asks the kernel for memory.
//!
//! mimalloc marks its arenas for transparent huge pages, so on a kernel with THP in `madvise`
//! mode (Debian's default) every first touch of a 2 MiB region faults in a huge page that the
//! kernel zeroes whole, and every purge gives it back to be zeroed again. At 10,000 primitives
//! that zeroing was more than half of a plan's CPU time (sys 1.3–2.4 s against user 1.3 s;
//! issue 13). This module turns THP off for the process. It allocates nothing and decides
//! nothing else.

/// Turn transparent huge pages off for this process (and the tools it runs, which inherit the
/// setting; they lose nothing but the same zeroing). A kernel without the knob is left as it is.
pub fn no_huge_pages() {
    #[cfg(target_os = "linux")]
    // SAFETY: PR_SET_THP_DISABLE takes plain integers and touches no memory of ours; an error
    // (an old kernel) only means huge pages stay as the system set them.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}
