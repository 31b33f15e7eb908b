// The measuring loop shared by the benchmarks: operations per second, sequential and with
// 16 in flight, in interleaved rounds (a load change on the machine then hits every
// implementation alike instead of whichever happened to run at that moment), median of each.
// Within a round, every implementation runs in one mode, then every one in the other, so
// the figures that a ratio pairs were taken at most a few short slices apart: the load on
// this (virtual, 2-core) machine was seen to change within seconds. The order turns each
// round (see `measure`).

export const SECONDS = Number(process.env.BENCH_SECONDS || 5); // per implementation and mode
export const ROUNDS = Number(process.env.BENCH_ROUNDS || 15);

/** Runs `fn` (sync or async) for `seconds` with `inFlight` concurrent callers; returns
 * { done, seconds } (the calls completed, the time they took). `check` throws on a wrong
 * result, so a broken implementation cannot look fast. */
export async function callsFor(fn, check, inFlight, seconds) {
  const end = performance.now() + seconds * 1000;
  let done = 0;
  async function worker() {
    while (performance.now() < end) {
      check(await fn());
      done += 1;
    }
  }
  const t0 = performance.now();
  await Promise.all(Array.from({ length: inFlight }, worker));
  return { done, seconds: (performance.now() - t0) / 1000 };
}

/** Ops/s of `fn` over `seconds` with `inFlight` concurrent callers (see `callsFor`). */
async function run(fn, check, inFlight, seconds) {
  const { done, seconds: took } = await callsFor(fn, check, inFlight, seconds);
  return done / took;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Measures every implementation of `impls` ({ name: fn }); returns { name: { seq, par,
 * rounds: { seq: [...], par: [...] } } }: medians, and each round's figure for `ratio`. */
export async function measure(impls, check) {
  for (const fn of Object.values(impls)) await run(fn, check, 1, 0.3); // warm up (key import, JIT)
  const samples = Object.fromEntries(Object.keys(impls).map((k) => [k, { seq: [], par: [] }]));
  const entries = Object.entries(impls);
  for (let r = 0; r < ROUNDS; r++) {
    // The order turns by one each round, so that every implementation runs in every position
    // equally often: the first slice after a change of mode was seen to run a few percent
    // slower (two implementations swapped places: 0.97x became 1.04x).
    const order = entries.map((_, i) => entries[(i + r) % entries.length]);
    for (const [mode, inFlight] of [['seq', 1], ['par', 16]]) {
      for (const [name, fn] of order) {
        samples[name][mode].push(await run(fn, check, inFlight, SECONDS / ROUNDS));
      }
    }
  }
  return Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, { seq: median(v.seq), par: median(v.par), rounds: v }]));
}

/** a / b in `mode` ('seq' or 'par'), round by round: both ran in the same round, so a change
 * of the machine's speed between rounds cancels out. Median, min and max over the rounds. */
export function ratio(a, b, mode) {
  const rs = a.rounds[mode].map((x, i) => x / b.rounds[mode][i]);
  return { median: median(rs), min: Math.min(...rs), max: Math.max(...rs) };
}

/** "0.79x (rounds 0.71-0.83x)". */
export const fmtRatio = (r) => `${r.median.toFixed(2)}x (rounds ${r.min.toFixed(2)}-${r.max.toFixed(2)}x)`;

/** Prints the results as a table. */
export function table(title, results) {
  const width = Math.max(...Object.keys(results).map((k) => k.length)) + 2;
  console.log(`${title} (median of ${ROUNDS} interleaved rounds, ${SECONDS} s each in all, Node ${process.versions.node})`);
  console.log(`${'implementation'.padEnd(width)}${'sequential'.padEnd(14)}16 in flight`);
  for (const [name, r] of Object.entries(results)) {
    console.log(`${name.padEnd(width)}${r.seq.toFixed(0).padEnd(14)}${r.par.toFixed(0)}`);
  }
}
