// The best round-trip ratio any client could reach against the peer on this machine, from
// figures of the same run (benches/roundtrip.mjs): the client's CPU per call (this process,
// all threads), the server's CPU per request (its process, read over IPC around each batch),
// and the CPU of RSA alone (node:crypto and WebCrypto, sign and verify, in loops).
//
// Each round trip costs the machine the client's CPU plus the server's. With 16 in flight
// both cores are busy, so the rate is cores / (client + server) and a ratio of rates is the
// inverse ratio of those sums: ours/peer = (peer + server) / (ours + server). A client that
// cost nothing but its one signature and one verification (the cheaper of node:crypto and
// WebCrypto for each) reaches (peer + server) / (sign + verify + server): the ceiling.
// A client on undici's fetch (the default transport: spec/api.md) pays at least the bare
// fetch of the same request besides: its ceiling is (peer + server) / (fetch + sign + verify
// + server), printed beside.
// Sequentially the wall time per call is that same CPU plus waits both clients share (the
// loopback, wake-ups), which only bring a ratio closer to 1: the same formula bounds it.
const PEER = 'wechatpay-axios-plugin post';
const OURS = 'wechatpay-wasm preEntrustSign';

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** For `n` in flight (1 or 16): the parts (µs), the ceiling, and what the CPU figures predict
 * for ours/peer. */
export function ceiling(cpu, n) {
  const at = (name) => cpu[name][n].median;
  const peer = at(PEER);
  const ours = at(OURS);
  // The server does the same work for either client: both sets of batches, one median.
  const server = median([...cpu[PEER][n].serverUs.rounds, ...cpu[OURS][n].serverUs.rounds]);
  const sign = Math.min(at('bare node:crypto sign'), at('bare WebCrypto sign'));
  const verify = Math.min(at('bare node:crypto verify'), at('bare WebCrypto verify'));
  return {
    peer, ours, server, sign, verify,
    serverPeer: cpu[PEER][n].serverUs.median,
    serverOurs: cpu[OURS][n].serverUs.median,
    ceiling: (peer + server) / (sign + verify + server),
    fetch: at('bare fetch (same request)'),
    ceilingOnFetch: (peer + server) / (at('bare fetch (same request)') + sign + verify + server),
    predicted: (peer + server) / (ours + server),
  };
}

const us = (x) => `${x.toFixed(0)} µs`;

/** Prints how the ceiling of `n` in flight is made, and checks the arithmetic against the
 * measured rates (`rates`: benches/measure.mjs's results): rate x (client + server CPU per
 * round trip) is the number of cores kept busy, at most the machine's; with 16 in flight on a
 * quiet machine it is all of them (the premise of the ratio of sums), and what is missing is
 * what other processes took (the load average says how many wanted a core). */
export function printCeiling(cpu, rates, n, cores) {
  const c = ceiling(cpu, n);
  const what = n === 1 ? 'sequential' : `${n} in flight`;
  console.log(`${what}: client CPU per call peer ${us(c.peer)}, ours ${us(c.ours)}; server CPU per request ${us(c.server)} ` +
    `(during the peer's batches ${us(c.serverPeer)}, ours ${us(c.serverOurs)}); cheapest RSA sign ${us(c.sign)} + verify ${us(c.verify)}`);
  console.log(`  ceiling (peer + server) / (sign + verify + server) = (${us(c.peer)} + ${us(c.server)}) / (${us(c.sign)} + ${us(c.verify)} + ${us(c.server)}) = ${c.ceiling.toFixed(2)}x; ` +
    `ours by the same arithmetic (peer + server) / (ours + server) = ${c.predicted.toFixed(2)}x`);
  console.log(`  on undici's fetch (the default transport): (peer + server) / (fetch + sign + verify + server) = ` +
    `(${us(c.peer)} + ${us(c.server)}) / (${us(c.fetch)} + ${us(c.sign)} + ${us(c.verify)} + ${us(c.server)}) = ${c.ceilingOnFetch.toFixed(2)}x`);
  const mode = n === 1 ? 'seq' : 'par';
  for (const [name, client, server] of [['peer', c.peer, c.serverPeer], ['ours', c.ours, c.serverOurs]]) {
    const rate = rates[name === 'peer' ? PEER : OURS][mode];
    console.log(`  check, ${name}: ${rate.toFixed(0)} round trips/s x (${us(client)} + ${us(server)}) = ${(rate * (client + server) / 1e6).toFixed(2)} of ${cores} cores busy`);
  }
  return c;
}
