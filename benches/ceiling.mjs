// The best round-trip ratio any client could reach against the peer on this machine, from
// figures of the same run (benches/roundtrip.mjs): the client's CPU per call (this process,
// all threads), the server's CPU per request (its process, read over IPC around each batch),
// and the CPU of RSA alone (node:crypto and WebCrypto, sign and verify, in loops).
//
// Each round trip costs the machine the client's CPU plus the server's, each client's own
// server figure (serverPeer during the peer's batches, serverOurs during ours). With 16 in
// flight both cores are busy, so the rate is cores / (client + server) and a ratio of rates
// is the inverse ratio of those sums: ours/peer = (peer + serverPeer) / (ours + serverOurs).
// A client that cost nothing but its one signature and one verification (the cheaper of
// node:crypto and WebCrypto for each), served as cheaply as either client was, reaches
// (peer + serverPeer) / (sign + verify + min(serverPeer, serverOurs)): the ceiling.
// A client on undici's fetch (the default transport: spec/api.md) pays at least the bare
// fetch of the same request besides: its ceiling is (peer + serverPeer) / (fetch + sign +
// verify + min(serverPeer, serverOurs)), printed beside.
// Sequentially the wall time per call is that same CPU plus waits both clients share (the
// loopback, wake-ups), which only bring a ratio closer to 1: the same formula bounds it.
// The premise, both ways: the CPU accounts for the wall time (all cores busy with 16 in
// flight, one sequentially). [`premise`] checks it against the rates; when it fails (a loaded
// machine) the ceiling is not a bound and is not printed as one.
const PEER = 'wechatpay-axios-plugin post';
const OURS = 'wechatpay-wasm preEntrustSign';

/** For `n` in flight (1 or 16): the parts (µs), the ceiling, and what the CPU figures predict
 * for ours/peer. */
export function ceiling(cpu, n) {
  const at = (name) => cpu[name][n].median;
  const peer = at(PEER);
  const ours = at(OURS);
  const serverPeer = cpu[PEER][n].serverUs.median;
  const serverOurs = cpu[OURS][n].serverUs.median;
  // The least the server was seen to spend on a request: what the ideal client costs it.
  const server = Math.min(serverPeer, serverOurs);
  const sign = Math.min(at('bare node:crypto sign'), at('bare WebCrypto sign'));
  const verify = Math.min(at('bare node:crypto verify'), at('bare WebCrypto verify'));
  const fetch = at('bare fetch (same request)');
  return {
    peer, ours, server, sign, verify, serverPeer, serverOurs, fetch,
    ceiling: (peer + serverPeer) / (sign + verify + server),
    ceilingOnFetch: (peer + serverPeer) / (fetch + sign + verify + server),
    predicted: (peer + serverPeer) / (ours + serverOurs),
  };
}

/** The premise of the ratio of sums for `n` in flight, checked against the measured rates
 * (`rates`: benches/measure.mjs's results): rate x (client + server CPU per round trip) is
 * the number of cores kept busy; it must be at least 0.9 of all of them with 16 in flight (of
 * one sequentially) for each client. `busy`: each client's figure; `holds`: both pass. */
export function premise(cpu, rates, n, cores) {
  const c = ceiling(cpu, n);
  const mode = n === 1 ? 'seq' : 'par';
  const full = Math.min(n, cores);
  const busy = {
    peer: (rates[PEER][mode] * (c.peer + c.serverPeer)) / 1e6,
    ours: (rates[OURS][mode] * (c.ours + c.serverOurs)) / 1e6,
  };
  const least = Math.min(busy.peer, busy.ours);
  return { busy, full, least, holds: least >= 0.9 * full };
}

const us = (x) => `${x.toFixed(0)} µs`;
const coresText = (n) => `${n} ${n === 1 ? 'core' : 'cores'}`;

/** Prints how the ceiling of `n` in flight is made, and checks the arithmetic against the
 * measured rates ([`premise`]): what is missing from the cores busy is what other processes
 * took (the load average says how many wanted a core). */
export function printCeiling(cpu, rates, n, machineCores) {
  const c = ceiling(cpu, n);
  const what = n === 1 ? 'sequential' : `${n} in flight`;
  console.log(`${what}: client CPU per call peer ${us(c.peer)}, ours ${us(c.ours)}; server CPU per request ` +
    `during the peer's batches ${us(c.serverPeer)}, ours ${us(c.serverOurs)}; cheapest RSA sign ${us(c.sign)} + verify ${us(c.verify)}`);
  console.log(`  ceiling (peer + serverPeer) / (sign + verify + min(serverPeer, serverOurs)) = (${us(c.peer)} + ${us(c.serverPeer)}) / (${us(c.sign)} + ${us(c.verify)} + ${us(c.server)}) = ${c.ceiling.toFixed(2)}x; ` +
    `ours by the same arithmetic (peer + serverPeer) / (ours + serverOurs) = (${us(c.peer)} + ${us(c.serverPeer)}) / (${us(c.ours)} + ${us(c.serverOurs)}) = ${c.predicted.toFixed(2)}x`);
  console.log(`  on undici's fetch (the default transport): (peer + serverPeer) / (fetch + sign + verify + min(serverPeer, serverOurs)) = ` +
    `(${us(c.peer)} + ${us(c.serverPeer)}) / (${us(c.fetch)} + ${us(c.sign)} + ${us(c.verify)} + ${us(c.server)}) = ${c.ceilingOnFetch.toFixed(2)}x`);
  const mode = n === 1 ? 'seq' : 'par';
  const p = premise(cpu, rates, n, machineCores);
  for (const [name, client, server] of [['peer', c.peer, c.serverPeer], ['ours', c.ours, c.serverOurs]]) {
    const rate = rates[name === 'peer' ? PEER : OURS][mode];
    console.log(`  check, ${name}: ${rate.toFixed(0)} round trips/s x (${us(client)} + ${us(server)}) = ${p.busy[name].toFixed(2)} of ${coresText(p.full)} busy`);
  }
  console.log(`  premise (at least 0.9 x ${coresText(p.full)} busy for both): ${p.holds ? 'holds' : 'FAILED: the ceiling above is not a bound in this run'}`);
  return c;
}
