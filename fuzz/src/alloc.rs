//! A counting global allocator: bytes allocated now and the peak since the last reset, so
//! that each input's memory can be held to its size. Past a hard limit it refuses to
//! allocate (the process aborts) after writing the input being run to a file prepared for
//! it, so that an input that would exhaust memory is still kept.

use std::alloc::{GlobalAlloc, Layout, System};
use std::fs::File;
use std::io::Write as _;
use std::sync::atomic::{AtomicBool, AtomicPtr, AtomicUsize, Ordering::Relaxed};
use std::sync::Mutex;

/// The allocator (installed by the `fuzz` binary).
pub struct Counting;

static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);
static LIMIT: AtomicUsize = AtomicUsize::new(usize::MAX);
static INPUT_PTR: AtomicPtr<u8> = AtomicPtr::new(core::ptr::null_mut());
static INPUT_LEN: AtomicUsize = AtomicUsize::new(0);
static TRIPPED: AtomicBool = AtomicBool::new(false);
static OOM_FILE: Mutex<Option<File>> = Mutex::new(None);

fn grew(by: usize) -> bool {
    let now = CURRENT.fetch_add(by, Relaxed) + by;
    PEAK.fetch_max(now, Relaxed);
    if now > LIMIT.load(Relaxed) && !TRIPPED.swap(true, Relaxed) {
        save_input_for_oom();
        return false;
    }
    true
}

/// Writes the input being run to the OOM file. Allocates nothing: the file was opened
/// before, and the input is a slice the runner keeps alive while it runs.
fn save_input_for_oom() {
    let ptr = INPUT_PTR.load(Relaxed);
    let len = INPUT_LEN.load(Relaxed);
    if ptr.is_null() {
        return;
    }
    if let Ok(mut guard) = OOM_FILE.try_lock() {
        if let Some(file) = guard.as_mut() {
            // SAFETY: `watch` stored the pointer and length of a live slice; it is cleared
            // (`unwatch`) before that slice is dropped.
            let input = unsafe { core::slice::from_raw_parts(ptr, len) };
            let _ = file.write_all(input);
            let _ = file.sync_all();
        }
    }
    let _ = std::io::stderr().write_all(b"fuzz: hard memory limit reached; input saved\n");
}

// SAFETY: every call is forwarded to `System`; only counters are kept beside it.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if !grew(layout.size()) {
            CURRENT.fetch_sub(layout.size(), Relaxed);
            return core::ptr::null_mut();
        }
        let p = System.alloc(layout);
        if p.is_null() {
            CURRENT.fetch_sub(layout.size(), Relaxed);
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if !grew(layout.size()) {
            CURRENT.fetch_sub(layout.size(), Relaxed);
            return core::ptr::null_mut();
        }
        let p = System.alloc_zeroed(layout);
        if p.is_null() {
            CURRENT.fetch_sub(layout.size(), Relaxed);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout);
        CURRENT.fetch_sub(layout.size(), Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let old = layout.size();
        if new_size > old && !grew(new_size - old) {
            CURRENT.fetch_sub(new_size - old, Relaxed);
            return core::ptr::null_mut();
        }
        let p = System.realloc(ptr, layout, new_size);
        if p.is_null() {
            if new_size > old {
                CURRENT.fetch_sub(new_size - old, Relaxed);
            }
        } else if new_size < old {
            CURRENT.fetch_sub(old - new_size, Relaxed);
        }
        p
    }
}

/// Bytes allocated now.
pub fn current() -> usize {
    CURRENT.load(Relaxed)
}

/// Starts a new peak measurement; returns the bytes allocated now (the baseline).
pub fn reset_peak() -> usize {
    let now = CURRENT.load(Relaxed);
    PEAK.store(now, Relaxed);
    now
}

/// The peak since [`reset_peak`].
pub fn peak() -> usize {
    PEAK.load(Relaxed)
}

/// Sets the hard limit (total bytes allocated) and the file an input is written to when
/// it is reached.
pub fn set_hard_limit(bytes: usize, oom_file: Option<File>) {
    if let Ok(mut f) = OOM_FILE.lock() {
        *f = oom_file;
    }
    LIMIT.store(bytes, Relaxed);
}

/// Marks `input` as the one running (written out if the hard limit is reached).
pub fn watch(input: &[u8]) {
    INPUT_LEN.store(input.len(), Relaxed);
    INPUT_PTR.store(input.as_ptr().cast_mut(), Relaxed);
}

/// Clears [`watch`].
pub fn unwatch() {
    INPUT_PTR.store(core::ptr::null_mut(), Relaxed);
    INPUT_LEN.store(0, Relaxed);
}
