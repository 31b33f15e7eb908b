// A/B of two builds of the package in one process: the presign round trip of this
// checkout's package (`wechatpay-wasm`, pkg/) against another build's (OLD_PKG: a pkg/ folder
// built from an older commit in a detached worktree), against the same local server
// (benches/presign-server.mjs), by the client's CPU per call (benches/cpu-per-call.mjs:
// rounds interleaved, both in the same run) and by wall-clock rate (benches/measure.mjs).
// Every answer is checked as in benches/roundtrip.mjs.
//   node benches/ab.mjs OLD_PKG [ROUNDS] [CALLS]
//   e.g. git worktree add --detach /tmp/old <commit> && (cd /tmp/old && make pkg)
//        node benches/ab.mjs /tmp/old/pkg
import { pathToFileURL } from 'node:url';
import { loadavg } from 'node:os';
import { Client } from 'wechatpay-wasm';
import { check, clientOptions, body, ID_PREFIX, withServer } from './roundtrip-setup.mjs';
import { cpuPerCall, cpuRatio } from './cpu-per-call.mjs';
import { measure, ratio, fmtRatio } from './measure.mjs';

const [oldDir, rounds = '9', calls = '100'] = process.argv.slice(2);
if (!oldDir) throw new Error('usage: node benches/ab.mjs OLD_PKG_DIR [ROUNDS] [CALLS]');
const { Client: OldClient } = await import(pathToFileURL(`${oldDir}/node.js`).href);

const load = () => loadavg()[0].toFixed(1);
const loadBefore = load();
const { result } = await withServer(async (base) => {
  const call = (client) => async () => {
    const b = body();
    const res = await client.preEntrustSign(b);
    return [res.pre_entrustweb_id, ID_PREFIX + b.out_contract_code];
  };
  const impls = { new: call(new Client(clientOptions(base))), old: call(new OldClient(clientOptions(base))) };
  const cpu = await cpuPerCall(impls, check, { rounds: Number(rounds), calls: Number(calls) });
  const rates = await measure(impls, check);
  return { cpu, rates };
});
const { cpu, rates } = result;
console.log(`A/B, Node ${process.versions.node}, load ${loadBefore} before, ${load()} after; old = ${oldDir}`);
for (const n of [1, 16]) {
  const what = n === 1 ? 'sequential  ' : '16 in flight';
  console.log(`CPU per call, ${what}: new ${cpu.new[n].median.toFixed(0)} µs, old ${cpu.old[n].median.toFixed(0)} µs, new/old ${cpuRatio(cpu.new[n], cpu.old[n])}`);
}
console.log(`rate new/old, sequential:   ${fmtRatio(ratio(rates.new, rates.old, 'seq'))}`);
console.log(`rate new/old, 16 in flight: ${fmtRatio(ratio(rates.new, rates.old, 'par'))}`);
