//! Coverage guidance on stable Rust: with `-Cinstrument-coverage` (added to the crates under
//! test by `scripts/rustc-cov.sh`, which `make fuzz` uses), LLVM keeps one 64-bit counter per
//! code region in the section between `__llvm_profile_begin_counters` and
//! `__llvm_profile_end_counters`. They are zeroed before an input and read after it: an input
//! that reaches a region, or a new bucket of a region's count (1, 2, 3, 4-7, 8-15, 16-31,
//! 32-127, 128+, as AFL does), joins the corpus. Without the `coverage` feature nothing is
//! read and the corpus stays the seeds (mutations still stack).

#[cfg(feature = "coverage")]
mod counters {
    extern "C" {
        fn __llvm_profile_begin_counters() -> *mut u8;
        fn __llvm_profile_end_counters() -> *mut u8;
    }

    /// The counters of the instrumented crates.
    pub fn all() -> &'static mut [u64] {
        // SAFETY: the LLVM profile runtime (linked by -Cinstrument-coverage) gives the bounds
        // of its counter section, an array of u64 that lives for the whole process. Only the
        // fuzzer's one thread runs instrumented code while it is read.
        unsafe {
            let begin = __llvm_profile_begin_counters();
            let end = __llvm_profile_end_counters();
            let len = (end as usize).saturating_sub(begin as usize) / 8;
            core::slice::from_raw_parts_mut(begin.cast::<u64>(), len)
        }
    }
}

#[cfg(not(feature = "coverage"))]
mod counters {
    pub fn all() -> &'static mut [u64] {
        &mut []
    }
}

/// Whether this build reads coverage counters.
pub fn enabled() -> bool {
    !counters::all().is_empty()
}

/// The number of counters (0 without coverage).
pub fn counter_count() -> usize {
    counters::all().len()
}

/// Zeroes the counters before an input.
pub fn reset() {
    counters::all().fill(0);
}

fn bucket(count: u64) -> u16 {
    match count {
        0 => 0,
        1 => 1,
        2 => 2,
        3 => 4,
        4..=7 => 8,
        8..=15 => 16,
        16..=31 => 32,
        32..=127 => 64,
        _ => 128,
    }
}

/// The buckets seen so far per counter, for one target.
#[derive(Debug, Default)]
pub struct Seen {
    buckets: Vec<u16>,
    /// Counters reached at least once.
    pub regions: usize,
}

impl Seen {
    /// Records the counters of the input just run; true when it reached something new.
    pub fn record(&mut self) -> bool {
        let counters = counters::all();
        if self.buckets.len() != counters.len() {
            self.buckets = vec![0; counters.len()];
        }
        let mut new = false;
        for (seen, &count) in self.buckets.iter_mut().zip(counters.iter()) {
            if count != 0 {
                let b = bucket(count);
                if *seen & b == 0 {
                    if *seen == 0 {
                        self.regions += 1;
                    }
                    *seen |= b;
                    new = true;
                }
            }
        }
        new
    }
}
