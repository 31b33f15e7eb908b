// The speed goals of issue 19 in one place, and how `make bench` prints them.
//
// A benchmark calls `goal(name, measured)` for each figure that has a goal: one line is
// printed at once (the figure, the goal beside it, and whether this run meets it: a printed
// judgement, not a test assertion), and when BENCH_GOALS names a file the same line is
// appended to it as JSON. `node benches/goals.mjs FILE` (the end of `make bench`) prints those
// lines again, grouped by Node version, so the figures of every Node stand together.
import { appendFileSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// By Node major version; a version without its own goals (22) is judged by Node 24's, the
// LTS merchants move to, and the line says so.
const ROUND_TRIP = {
  20: { seq: 0.9, par: 1.3 },
  24: { seq: 1.0, par: 1.5 },
};
const GOALS = {
  'round trip ours/peer, sequential': { at: (m) => ROUND_TRIP[m]?.seq, min: true, unit: 'x' },
  'round trip ours/peer, 16 in flight': { at: (m) => ROUND_TRIP[m]?.par, min: true, unit: 'x' },
  'cold start, first line to first header': { at: () => 15, min: false, unit: ' ms' },
  'authorization() / raw WebCrypto, sequential': { at: () => 0.95, min: true, unit: 'x' },
};

function goalFor(name, major) {
  const g = GOALS[name];
  if (!g) throw new Error(`no goal named ${name}`);
  const own = g.at(major);
  if (own !== undefined) return { ...g, target: own, note: '' };
  return { ...g, target: g.at(24), note: ` (no goal for Node ${major}: Node 24's)` };
}

const fmt = (v, unit) => (unit === 'x' ? `${v.toFixed(2)}x` : `${v.toFixed(1)}${unit}`);

function line({ node, name, value, detail, target, min, unit, note, ceiling }) {
  const met = min ? value >= target : value <= target;
  // A string: why there is no ceiling in this run (benches/roundtrip.mjs).
  const best = ceiling === undefined ? '' : `, ${typeof ceiling === 'string' ? ceiling : `ceiling ${fmt(ceiling, unit)}`}`;
  return `Node ${node.padEnd(8)} ${name.padEnd(44)} ${fmt(value, unit).padStart(9)}   goal ${min ? '>=' : '<='} ${fmt(target, unit)}${note}${best}: ` +
    `${met ? 'met' : 'NOT met'} in this run${detail ? `   [${detail}]` : ''}`;
}

/** Prints `name`'s measured `value` beside its goal (and records it for the summary).
 * `detail`: the spread or the companion figures, printed after the judgement. `ceiling`:
 * the best value any implementation could reach on this machine in this run, when known
 * (benches/ceiling.mjs), printed beside the goal; a string says why it is not known. */
export function goal(name, value, detail = '', ceiling = undefined) {
  const node = process.versions.node;
  const g = goalFor(name, Number(node.split('.')[0]));
  const rec = { node, name, value, detail, target: g.target, min: g.min, unit: g.unit, note: g.note, ceiling };
  console.log(`GOAL ${line(rec)}`);
  if (process.env.BENCH_GOALS) appendFileSync(process.env.BENCH_GOALS, `${JSON.stringify(rec)}\n`);
}

// node benches/goals.mjs FILE: the recorded lines, by Node version, in the order measured.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const file = process.argv[2];
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    // nothing recorded
  }
  const recs = text.split('\n').filter(Boolean).map((l) => JSON.parse(l));
  console.log('\n== The goals of issue 19, as measured in this run (ratios within one run; the judgement is printed, not asserted)');
  if (recs.length === 0) console.log('(no goal was measured)');
  const nodes = [...new Set(recs.map((r) => r.node))];
  for (const n of nodes) for (const r of recs.filter((x) => x.node === n)) console.log(line(r));
}
