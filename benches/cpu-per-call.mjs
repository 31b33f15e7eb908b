// CPU time per call of this process (all its threads: the main thread and the libuv
// threadpool that runs WebCrypto), from process.cpuUsage: on a loaded shared machine the
// wall-clock rate of a round trip mostly measures how long each process waits for a core,
// while the CPU a call costs barely moves. Interleaved rounds as in measure.mjs; medians, µs.
// `check` throws on a wrong result.
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function cpuPerCall(impls, check, { rounds = 7, calls = 200, inFlight = [1, 16] } = {}) {
  const out = Object.fromEntries(Object.keys(impls).map((k) => [k, Object.fromEntries(inFlight.map((n) => [n, []]))]));
  const entries = Object.entries(impls);
  for (let r = 0; r < rounds; r++) {
    const order = entries.map((_, i) => entries[(i + r) % entries.length]);
    for (const n of inFlight) {
      for (const [name, fn] of order) {
        let left = calls;
        const worker = async () => { while (left-- > 0) check(await fn()); };
        const c0 = process.cpuUsage();
        await Promise.all(Array.from({ length: n }, worker));
        const c = process.cpuUsage(c0);
        out[name][n].push((c.user + c.system) / calls);
      }
    }
  }
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, Object.fromEntries(Object.entries(v).map(([n, xs]) => [n, { median: median(xs), rounds: xs }]))]));
}

/** a / b, round by round (the same round ran both), median and spread. */
export function cpuRatio(a, b) {
  const rs = a.rounds.map((x, i) => x / b.rounds[i]);
  return `${median(rs).toFixed(2)}x (rounds ${Math.min(...rs).toFixed(2)}-${Math.max(...rs).toFixed(2)}x)`;
}
