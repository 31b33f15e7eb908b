//! Runs inputs: each under `catch_unwind`, timed, its peak memory counted; failures are
//! reported with the input and saved to `regressions/<target>/`, which every run replays.

use std::collections::HashSet;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::targets::{fnv, Target};
use crate::{alloc, cover};

/// How much time and memory an input may take, in proportion to its size.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Milliseconds any input may take.
    pub ms_base: f64,
    /// And this many more per KB of input.
    pub ms_per_kb: f64,
    /// Bytes any input may allocate at its peak.
    pub mem_base: usize,
    /// And this many more per byte of input.
    pub mem_factor: usize,
}

impl Limits {
    fn ms(&self, len: usize) -> f64 {
        self.ms_base + self.ms_per_kb * len as f64 / 1024.0
    }
    fn mem(&self, len: usize) -> usize {
        self.mem_base
            .saturating_add(self.mem_factor.saturating_mul(len))
    }
}

/// Why an input failed.
#[derive(Debug, Clone)]
pub enum Failure {
    /// It panicked (message and location).
    Panic(String),
    /// A checked property did not hold.
    Oracle(String),
    /// It took longer than its size allows (best of three runs).
    Slow(Duration),
    /// It allocated more than its size allows at its peak.
    Memory(usize),
}

impl Failure {
    /// Short name, also the prefix of the saved file.
    pub fn kind(&self) -> &'static str {
        match self {
            Failure::Panic(_) => "panic",
            Failure::Oracle(_) => "oracle",
            Failure::Slow(_) => "slow",
            Failure::Memory(_) => "memory",
        }
    }

    fn describe(&self, len: usize, limits: &Limits) -> String {
        match self {
            Failure::Panic(m) => m.clone(),
            Failure::Oracle(m) => m.clone(),
            Failure::Slow(d) => format!(
                "took {:.1} ms for {len} bytes (limit {:.1} ms)",
                d.as_secs_f64() * 1e3,
                limits.ms(len)
            ),
            Failure::Memory(b) => format!(
                "allocated {b} bytes at its peak for {len} bytes (limit {})",
                limits.mem(len)
            ),
        }
    }
}

static LAST_PANIC: Mutex<String> = Mutex::new(String::new());

/// Keeps panic messages for the report instead of printing them.
pub fn quiet_panics() {
    std::panic::set_hook(Box::new(|info| {
        if let Ok(mut last) = LAST_PANIC.lock() {
            *last = info.to_string();
        }
    }));
}

/// What one run measured.
#[derive(Debug, Clone, Copy, Default)]
pub struct Measure {
    /// CPU time this thread spent on the input (wall-clock time where the platform has no
    /// per-thread clock): on a loaded machine, wall-clock time mostly measures the wait for a
    /// core (seed 5's long run saw a 1,327-byte key "take" 270 ms, replayed in 0.7-41 ms).
    pub time: Duration,
    /// Peak bytes allocated above what was allocated before.
    pub peak: usize,
}

/// A clock of the calling thread's CPU time (`CLOCK_THREAD_CPUTIME_ID`), or wall-clock time
/// where there is none.
enum ThreadClock {
    Cpu(Duration),
    Wall(Instant),
}

impl ThreadClock {
    #[cfg(unix)]
    fn cpu() -> Option<Duration> {
        let mut ts = libc::timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        // SAFETY: `ts` is a valid, writable timespec for the duration of the call.
        let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
        (rc == 0).then(|| Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32))
    }

    #[cfg(not(unix))]
    fn cpu() -> Option<Duration> {
        None
    }

    fn now() -> Self {
        match Self::cpu() {
            Some(t) => Self::Cpu(t),
            None => Self::Wall(Instant::now()),
        }
    }

    fn elapsed(&self) -> Duration {
        match self {
            Self::Cpu(start) => Self::cpu().map_or(Duration::ZERO, |t| t.saturating_sub(*start)),
            Self::Wall(start) => start.elapsed(),
        }
    }
}

/// Runs one input once.
fn run_once(target: &Target, input: &[u8]) -> (Result<(), Failure>, Measure) {
    alloc::watch(input);
    cover::reset();
    let base = alloc::reset_peak();
    let start = ThreadClock::now();
    let result = catch_unwind(AssertUnwindSafe(|| (target.run)(input)));
    let time = start.elapsed();
    let peak = alloc::peak().saturating_sub(base);
    alloc::unwatch();
    let result = match result {
        Ok(Ok(())) => Ok(()),
        Ok(Err(m)) => Err(Failure::Oracle(m)),
        Err(_) => Err(Failure::Panic(
            LAST_PANIC.lock().map(|m| m.clone()).unwrap_or_default(),
        )),
    };
    (result, Measure { time, peak })
}

/// Runs one input and checks it against the limits (time is the thread's CPU time; a slow
/// input is run twice more and judged by its fastest run).
pub fn check(target: &Target, input: &[u8], limits: &Limits) -> (Result<(), Failure>, Measure) {
    let (result, mut m) = run_once(target, input);
    if let Err(f) = result {
        return (Err(f), m);
    }
    if m.peak > limits.mem(input.len()) {
        return (Err(Failure::Memory(m.peak)), m);
    }
    let budget = Duration::from_secs_f64(limits.ms(input.len()) / 1e3);
    for _ in 0..2 {
        if m.time <= budget {
            break;
        }
        let (_, again) = run_once(target, input);
        m.time = m.time.min(again.time);
    }
    if m.time > budget {
        return (Err(Failure::Slow(m.time)), m);
    }
    (Ok(()), m)
}

/// The folder of a target's seeds.
pub fn corpus_dir(root: &Path, target: &str) -> PathBuf {
    root.join("corpus").join(target)
}

/// The folder of a target's regression inputs.
pub fn regressions_dir(root: &Path, target: &str) -> PathBuf {
    root.join("regressions").join(target)
}

/// The files of a folder (sorted by name; names starting with `.` or `README` skipped).
pub fn read_inputs(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out: Vec<(String, Vec<u8>)> = entries
        .flatten()
        .filter(|e| e.path().is_file())
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') || name.starts_with("README") {
                return None;
            }
            std::fs::read(e.path()).ok().map(|data| (name, data))
        })
        .collect();
    out.sort();
    out
}

/// Reports failures, saving each new kind of failure's input once.
pub struct Reporter {
    root: PathBuf,
    save: bool,
    seen: HashSet<String>,
    /// Failures reported.
    pub failures: usize,
}

/// An input as text for a report: printable ASCII kept, the rest escaped, cut at 300.
fn preview(input: &[u8]) -> String {
    let mut s: String = input
        .iter()
        .take(300)
        .flat_map(|b| core::ascii::escape_default(*b))
        .map(char::from)
        .collect();
    if input.len() > 300 {
        s.push_str(&format!("... ({} bytes)", input.len()));
    }
    s
}

impl Reporter {
    /// A reporter that saves into `root/regressions/` when `save`.
    pub fn new(root: &Path, save: bool) -> Self {
        Self {
            root: root.to_owned(),
            save,
            seen: HashSet::new(),
            failures: 0,
        }
    }

    /// Reports one failure of `input` (saved unless already kept under `known`).
    pub fn report(
        &mut self,
        target: &str,
        input: &[u8],
        failure: &Failure,
        limits: &Limits,
        known: Option<&str>,
    ) {
        self.failures += 1;
        let what = failure.describe(input.len(), limits);
        // One saved input per target, kind and first line of the message.
        let first_line = what.lines().next().unwrap_or("").to_owned();
        let signature = match failure {
            Failure::Slow(_) | Failure::Memory(_) => format!("{target} {}", failure.kind()),
            _ => format!("{target} {} {first_line}", failure.kind()),
        };
        let first = self.seen.insert(signature);
        if !first {
            return;
        }
        eprintln!("FAIL {target} [{}]: {what}", failure.kind());
        eprintln!("  input: {}", preview(input));
        match known {
            Some(name) => eprintln!("  (regression case {name})"),
            None if self.save => {
                let dir = regressions_dir(&self.root, target);
                let path = dir.join(format!("{}-{:016x}", failure.kind(), fnv(input)));
                let saved =
                    std::fs::create_dir_all(&dir).and_then(|_| std::fs::write(&path, input));
                match saved {
                    Ok(()) => eprintln!("  saved: {}", path.display()),
                    Err(e) => eprintln!("  not saved ({e})"),
                }
            }
            None => {}
        }
    }
}
