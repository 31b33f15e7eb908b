//! `fuzz`: replays the regression inputs and seeds of each target, then fuzzes it for a
//! count or a time; prints the inputs run per target and every failure (saved to
//! `regressions/<target>/`). Exit status 1 when anything failed. See README.md.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use fuzz::rng::Rng;
use fuzz::runner::{self, Limits, Reporter};
use fuzz::targets::{self, fnv, Target};
use fuzz::{alloc, cover};

#[global_allocator]
static ALLOC: alloc::Counting = alloc::Counting;

const USAGE: &str = "usage: fuzz [--count N | --seconds S] [--per-target] [--seed N] [--targets a,b] [--replay-only] [--no-save] [--list]
  --count N      inputs in total, shared among the targets by weight (FUZZ_COUNT)
  --seconds S    time in total, shared the same way (FUZZ_SECONDS)
  --per-target   N or S for each target instead of in total (FUZZ_PER_TARGET=1)
  --seed N       the PRNG seed (FUZZ_SEED, default 1)
  --targets a,b  only these targets (FUZZ_TARGETS)
  --replay-only  run the regression inputs and seeds, nothing else
  --no-save      do not write failing inputs to regressions/
Limits per input: FUZZ_MS_BASE (100) + FUZZ_MS_PER_KB (10) ms; FUZZ_MEM_BASE_MB (8) +
FUZZ_MEM_FACTOR (64) x input bytes at the peak; FUZZ_HARD_LIMIT_MB (2048) in all.";

struct Options {
    count: Option<u64>,
    seconds: Option<f64>,
    per_target: bool,
    seed: u64,
    targets: Option<Vec<String>>,
    replay_only: bool,
    save: bool,
    list: bool,
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

fn env_num<T: std::str::FromStr>(name: &str, default: T) -> T {
    env(name)
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(default)
}

fn options() -> Result<Options, String> {
    let mut o = Options {
        count: env("FUZZ_COUNT").and_then(|v| v.parse().ok()),
        seconds: env("FUZZ_SECONDS").and_then(|v| v.parse().ok()),
        per_target: env("FUZZ_PER_TARGET").is_some_and(|v| v == "1"),
        seed: env_num("FUZZ_SEED", 1),
        targets: env("FUZZ_TARGETS").map(|v| v.split(',').map(str::to_owned).collect()),
        replay_only: false,
        save: true,
        list: false,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or(format!("{name} needs a value"));
        match arg.as_str() {
            "--count" => o.count = Some(value("--count")?.parse().map_err(|_| "bad --count")?),
            "--seconds" => {
                o.seconds = Some(value("--seconds")?.parse().map_err(|_| "bad --seconds")?)
            }
            "--per-target" => o.per_target = true,
            "--seed" => o.seed = value("--seed")?.parse().map_err(|_| "bad --seed")?,
            "--targets" => {
                o.targets = Some(value("--targets")?.split(',').map(str::to_owned).collect())
            }
            "--replay-only" => o.replay_only = true,
            "--no-save" => o.save = false,
            "--list" => o.list = true,
            _ => return Err(format!("unknown argument {arg}\n{USAGE}")),
        }
    }
    Ok(o)
}

/// Largest input kept in the corpus for new coverage: mutating large parents makes every
/// input slow, and large inputs are made from small ones anyway.
const MAX_CORPUS_INPUT: usize = 8 * 1024;

/// A target's share of the run.
#[derive(Clone, Copy)]
enum Budget {
    Count(u64),
    Time(Duration),
}

#[derive(Default)]
struct Stats {
    replayed: u64,
    fuzzed: u64,
    failures: usize,
    slowest: (Duration, usize),
    largest_peak: (usize, usize),
    worst_mem_ratio: f64,
    corpus: usize,
    regions: usize,
    elapsed: Duration,
    running: Duration,
}

/// Renames a `.oom-pending` input left by a run that hit the hard memory limit (the
/// allocator wrote it before the abort) to a regression case; removes an empty one.
fn adopt_oom_input(dir: &Path) {
    let pending = dir.join(".oom-pending");
    match std::fs::read(&pending) {
        Ok(data) if !data.is_empty() => {
            let to = dir.join(format!("oom-{:016x}", fnv(&data)));
            eprintln!(
                "fuzz: a previous run ran out of memory on an input; kept as {}",
                to.display()
            );
            let _ = std::fs::rename(&pending, to);
        }
        Ok(_) => {
            let _ = std::fs::remove_file(&pending);
        }
        Err(_) => {}
    }
}

fn fuzz_target(
    target: &Target,
    root: &Path,
    budget: Option<Budget>,
    seed: u64,
    limits: &Limits,
    reporter: &mut Reporter,
) -> Stats {
    let mut stats = Stats::default();
    let started = Instant::now();
    let failures_before = reporter.failures;
    let reg_dir = runner::regressions_dir(root, &target.name);
    adopt_oom_input(&reg_dir);
    let oom_file = std::fs::create_dir_all(&reg_dir)
        .and_then(|_| std::fs::File::create(reg_dir.join(".oom-pending")))
        .ok();
    alloc::set_hard_limit(env_num("FUZZ_HARD_LIMIT_MB", 2048usize) << 20, oom_file);

    let mut seen = cover::Seen::default();
    let mut corpus: Vec<Vec<u8>> = Vec::new();
    let note = |stats: &mut Stats, input: &[u8], m: runner::Measure| {
        stats.running += m.time;
        if m.time > stats.slowest.0 {
            stats.slowest = (m.time, input.len());
        }
        if m.peak > stats.largest_peak.0 {
            stats.largest_peak = (m.peak, input.len());
        }
        let ratio = m.peak as f64 / (input.len().max(1)) as f64;
        if input.len() >= 1024 && ratio > stats.worst_mem_ratio {
            stats.worst_mem_ratio = ratio;
        }
    };

    // Regression inputs first, then the seeds: all must pass, and join the corpus.
    let regressions = runner::read_inputs(&reg_dir);
    let seeds = runner::read_inputs(&runner::corpus_dir(root, &target.name));
    for (name, input) in regressions.iter().chain(seeds.iter()) {
        let (result, m) = runner::check(target, input, limits);
        note(&mut stats, input, m);
        seen.record();
        if let Err(f) = result {
            reporter.report(&target.name, input, &f, limits, Some(name));
        }
        stats.replayed += 1;
        // Large regression inputs are replayed, not mutated (each child would be as slow).
        if input.len() <= MAX_CORPUS_INPUT {
            corpus.push(input.clone());
        }
    }
    if corpus.is_empty() {
        corpus.push(Vec::new());
    }
    let seeds_len = corpus.len();

    let mut rng = Rng::new(seed ^ fnv(target.name.as_bytes()));
    let deadline = match budget {
        Some(Budget::Time(d)) => Some(started + d),
        _ => None,
    };
    let mut last_print = Instant::now();
    loop {
        match budget {
            None => break,
            Some(Budget::Count(n)) if stats.fuzzed >= n => break,
            Some(Budget::Time(_)) if deadline.is_some_and(|d| Instant::now() >= d) => break,
            _ => {}
        }
        let parent = &corpus[rng.below(corpus.len())];
        let other = &corpus[rng.below(corpus.len())];
        let input = (target.generate)(&mut rng, parent, other);
        let (result, m) = runner::check(target, &input, limits);
        note(&mut stats, &input, m);
        stats.fuzzed += 1;
        if let Err(f) = result {
            reporter.report(&target.name, &input, &f, limits, None);
        } else if seen.record() && input.len() <= MAX_CORPUS_INPUT {
            if corpus.len() < 20_000 {
                corpus.push(input);
            } else {
                let at = seeds_len + rng.below(corpus.len() - seeds_len);
                corpus[at] = input;
            }
        }
        if last_print.elapsed() > Duration::from_secs(30) {
            last_print = Instant::now();
            eprintln!(
                "  {}: {} inputs, {:.0}/s, corpus {}, regions {}",
                target.name,
                stats.fuzzed,
                stats.fuzzed as f64 / started.elapsed().as_secs_f64(),
                corpus.len(),
                seen.regions
            );
        }
    }
    alloc::set_hard_limit(usize::MAX, None);
    let _ = std::fs::remove_file(reg_dir.join(".oom-pending"));
    if std::fs::read_dir(&reg_dir).is_ok_and(|mut d| d.next().is_none()) {
        let _ = std::fs::remove_dir(&reg_dir);
    }
    stats.failures = reporter.failures - failures_before;
    stats.corpus = corpus.len();
    stats.regions = seen.regions;
    stats.elapsed = started.elapsed();
    stats
}

fn main() {
    let o = match options() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    };
    let all = targets::all();
    if o.list {
        for t in &all {
            println!("{} (weight {})", t.name, t.weight);
        }
        return;
    }
    let chosen: Vec<&Target> = all
        .iter()
        .filter(|t| {
            o.targets
                .as_ref()
                .is_none_or(|names| names.contains(&t.name))
        })
        .collect();
    if chosen.is_empty() {
        eprintln!("fuzz: no target matches {:?} (see --list)", o.targets);
        std::process::exit(2);
    }
    let limits = Limits {
        ms_base: env_num("FUZZ_MS_BASE", 100.0),
        ms_per_kb: env_num("FUZZ_MS_PER_KB", 10.0),
        mem_base: env_num("FUZZ_MEM_BASE_MB", 8usize) << 20,
        mem_factor: env_num("FUZZ_MEM_FACTOR", 64),
    };
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    runner::quiet_panics();
    let total_weight: u64 = chosen.iter().map(|t| u64::from(t.weight)).sum();
    let share = |t: &Target, whole: f64| {
        if o.per_target {
            whole
        } else {
            whole * f64::from(t.weight) / total_weight as f64
        }
    };
    println!(
        "fuzz: seed {}, {}, coverage {}",
        o.seed,
        match (o.replay_only, o.count, o.seconds) {
            (true, _, _) => "replay only".to_owned(),
            (_, Some(n), _) => format!(
                "{n} inputs{}",
                if o.per_target {
                    " per target"
                } else {
                    " in total"
                }
            ),
            (_, _, Some(s)) => format!(
                "{s} s{}",
                if o.per_target {
                    " per target"
                } else {
                    " in total"
                }
            ),
            _ => "replay only (no --count or --seconds)".to_owned(),
        },
        if cover::enabled() {
            format!("on ({} counters)", cover::counter_count())
        } else {
            "off".to_owned()
        }
    );
    let mut reporter = Reporter::new(&root, o.save);
    let mut total = 0u64;
    let started = Instant::now();
    for t in &chosen {
        let budget = match (o.replay_only, o.count, o.seconds) {
            (true, _, _) => None,
            (_, Some(n), _) => Some(Budget::Count(share(t, n as f64).ceil() as u64)),
            (_, _, Some(s)) => Some(Budget::Time(Duration::from_secs_f64(share(t, s)))),
            _ => None,
        };
        let s = fuzz_target(t, &root, budget, o.seed, &limits, &mut reporter);
        total += s.replayed + s.fuzzed;
        println!(
            "{:<28} {:>10} inputs ({} replayed) in {:>7.1} s ({:.0}% in the target), {:>7.0}/s; failures {}; corpus {}{}; slowest {:.2} ms ({} B); peak {} KB ({} B input); worst memory/input ratio (>=1 KB) {:.1}",
            t.name,
            s.replayed + s.fuzzed,
            s.replayed,
            s.elapsed.as_secs_f64(),
            100.0 * s.running.as_secs_f64() / s.elapsed.as_secs_f64().max(1e-9),
            (s.replayed + s.fuzzed) as f64 / s.elapsed.as_secs_f64().max(1e-9),
            s.failures,
            s.corpus,
            if cover::enabled() { format!(", {} regions", s.regions) } else { String::new() },
            s.slowest.0.as_secs_f64() * 1e3,
            s.slowest.1,
            s.largest_peak.0 / 1024,
            s.largest_peak.1,
            s.worst_mem_ratio,
        );
    }
    println!(
        "fuzz: {total} inputs in {:.1} s, {} failure(s)",
        started.elapsed().as_secs_f64(),
        reporter.failures
    );
    if reporter.failures > 0 {
        std::process::exit(1);
    }
}
