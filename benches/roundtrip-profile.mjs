// One implementation of benches/roundtrip-setup.mjs, alone, for a CPU profile:
//   node --cpu-prof --cpu-prof-dir=DIR benches/roundtrip-profile.mjs NAME IN_FLIGHT SECONDS
// e.g. 'wechatpay-wasm preEntrustSign' 1 10. Prints the calls per second; the server runs
// in its own process (not in the profile). Summarise with benches/profile-summary.mjs, giving
// it the --window this prints (the measured loop only: no key generation, import, warm-up).
import { check, implementations, withServer } from './roundtrip-setup.mjs';
import { threadCpu, threadCpuSince } from './thread-cpu.mjs';

const [name, inFlight = '1', seconds = '10'] = process.argv.slice(2);
const { result } = await withServer(async (base) => {
  const { impls, close } = await implementations(base);
  const fn = impls[name];
  if (!fn) throw new Error(`no implementation '${name}'; one of: ${Object.keys(impls).join(', ')}`);
  try {
    for (let i = 0; i < 200; i++) check(await fn()); // warm up (key import, JIT)
    const end = performance.now() + Number(seconds) * 1000;
    let done = 0;
    const worker = async () => {
      while (performance.now() < end) {
        check(await fn());
        done += 1;
      }
    };
    const t0 = performance.now();
    const us0 = process.hrtime.bigint() / 1000n; // the profile's clock (monotonic, µs)
    const threads0 = threadCpu();
    const cpu0 = process.cpuUsage();
    await Promise.all(Array.from({ length: Number(inFlight) }, worker));
    const cpu = process.cpuUsage(cpu0);
    const threads = threadCpuSince(threads0);
    console.log(`--window ${us0},${process.hrtime.bigint() / 1000n}`);
    console.log(`CPU per call, µs: process ${((cpu.user + cpu.system) / done).toFixed(0)}; by thread: ` +
      Object.entries(threads).filter(([, v]) => v > 0).map(([k, v]) => `${k} ${(v / done).toFixed(0)}`).join(', '));
    return { done, rate: done / ((performance.now() - t0) / 1000) };
  } finally {
    close();
  }
});
console.log(`${name}, ${inFlight} in flight: ${result.done} calls, ${result.rate.toFixed(0)}/s (Node ${process.versions.node})`);
