// CPU time per call of this process (all its threads: the main thread and the libuv
// threadpool that runs WebCrypto), from process.cpuUsage: on a loaded shared machine the
// wall-clock rate of a round trip mostly measures how long each process waits for a core,
// while the CPU a call costs barely moves. Interleaved rounds as in measure.mjs; medians, µs.
// `check` throws on a wrong result. With `server` (withServer's `serverCpu`), the server's
// CPU per request during each batch too, as `serverUs` beside each figure (the batches that
// send no request, signing or verifying alone, have none).
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function cpuPerCall(impls, check, { rounds = 7, calls = 200, inFlight = [1, 16], server } = {}) {
  const blank = () => Object.fromEntries(inFlight.map((n) => [n, []]));
  const out = Object.fromEntries(Object.keys(impls).map((k) => [k, blank()]));
  const srv = Object.fromEntries(Object.keys(impls).map((k) => [k, blank()]));
  const entries = Object.entries(impls);
  for (let r = 0; r < rounds; r++) {
    const order = entries.map((_, i) => entries[(i + r) % entries.length]);
    for (const n of inFlight) {
      for (const [name, fn] of order) {
        let left = calls;
        const worker = async () => { while (left-- > 0) check(await fn()); };
        const s0 = server && await server();
        const c0 = process.cpuUsage();
        await Promise.all(Array.from({ length: n }, worker));
        const c = process.cpuUsage(c0);
        out[name][n].push((c.user + c.system) / calls);
        if (server) {
          const s1 = await server();
          if (s1.requests > s0.requests) srv[name][n].push((s1.us - s0.us) / (s1.requests - s0.requests));
        }
      }
    }
  }
  const summary = (xs) => (xs.length ? { median: median(xs), rounds: xs } : undefined);
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, Object.fromEntries(Object.entries(v).map(([n, xs]) => [n, {
    ...summary(xs), serverUs: summary(srv[k][n]),
  }]))]));
}

/** a / b, round by round (the same round ran both), median and spread. */
export function cpuRatio(a, b) {
  const rs = a.rounds.map((x, i) => x / b.rounds[i]);
  return `${median(rs).toFixed(2)}x (rounds ${Math.min(...rs).toFixed(2)}-${Math.max(...rs).toFixed(2)}x)`;
}
