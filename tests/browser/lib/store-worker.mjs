// A worker thread of demo-store.test.mjs: opens the demo's store on the given file (its own
// SQLite connection), waits for the common start signal, then records the given events as fast
// as it can and posts back the outcome of each.
import { workerData, parentPort } from 'node:worker_threads';
import { openStore } from '../../../www/lib/store.mjs';

const { file, events, signal } = workerData;
const store = openStore({ file, ttl: 600_000 });
const flag = new Int32Array(signal);
Atomics.add(flag, 1, 1); // ready
Atomics.wait(flag, 0, 0); // until the main thread sets flag[0]
const outcomes = events.map((e) => store.record(e));
store.close();
parentPort.postMessage(outcomes);
