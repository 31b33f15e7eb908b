// CPU time of this process by thread kind, from /proc/self/task/*/stat (Linux; elsewhere
// an empty object): the main thread (JS, wasm, the profile's samples), the libuv threadpool
// (WebCrypto's RSA jobs), V8's workers (concurrent GC marking and compilation). Node 24 names
// its threads (MainThread, libuv-worker, V8Worker, ...); Node 20 names none, so there only the
// main thread (tid = pid) is told from the rest. In µs (clock ticks of 10 ms: read over
// seconds, not per call).
import { readdirSync, readFileSync } from 'node:fs';

const TICK_US = 10_000; // getconf CLK_TCK = 100 on Linux

export function threadCpu() {
  const out = {};
  let tasks;
  try {
    tasks = readdirSync('/proc/self/task');
  } catch {
    return out;
  }
  for (const tid of tasks) {
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      // After the command name in parentheses: state is field 3, utime 14, stime 15.
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const us = (Number(f[11]) + Number(f[12])) * TICK_US;
      const comm = readFileSync(`/proc/self/task/${tid}/comm`, 'utf8').trim();
      const kind = Number(tid) === process.pid ? 'main thread' : comm === 'node' ? 'other threads (unnamed on this Node)' : comm;
      out[kind] = (out[kind] || 0) + us;
    } catch {
      // the thread ended meanwhile
    }
  }
  return out;
}

/** after - before, by kind. */
export function threadCpuSince(before) {
  const now = threadCpu();
  return Object.fromEntries(Object.entries(now).map(([k, v]) => [k, v - (before[k] || 0)]));
}
