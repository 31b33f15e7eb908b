// The example Worker (examples/cloudflare-worker) built as `wrangler deploy` would upload it,
// offline and without a Cloudflare account: `wrangler deploy --dry-run --outdir <dir>` in a
// project where the packed package is installed. Used by tests/runtimes/wrangler.mjs (the
// bundle must hold the package's wasm and run in workerd) and benches/runtimes.mjs (its size).
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { ROOT, copyExample, run } from './common.mjs';

const WRANGLER = join(ROOT, 'node_modules', 'wrangler', 'bin', 'wrangler.js');

/** The newest Node of .tools/ (setup installs 22 and 24), else this process's Node. */
export function wranglerNode() {
  for (const v of [24, 22]) {
    const bin = join(ROOT, '.tools', `node${v}`, 'bin', 'node');
    if (existsSync(bin)) return bin;
  }
  return process.execPath;
}

/**
 * Builds the example in `pkg.app` (installPackedPackage()). Returns the wrangler version, the
 * Node it ran on, wrangler's own "Total Upload" line ({ kib, gzipKib }), and the files written
 * to the out dir with their sizes (raw and gzip -9, measured here). Throws with wrangler's
 * output when it fails.
 */
export async function buildWorkerWithWrangler(pkg) {
  const dir = copyExample(pkg.app, 'cloudflare-worker');
  const outdir = join(pkg.work, 'wrangler-out');
  // An empty HOME: no wrangler login, config or cache of the machine can be used.
  const home = join(pkg.work, 'wrangler-home');
  mkdirSync(home, { recursive: true });
  const node = wranglerNode();
  const r = await run(node, [WRANGLER, 'deploy', '--dry-run', '--outdir', outdir], {
    cwd: dir,
    timeout: 120_000,
    env: {
      HOME: home, XDG_CONFIG_HOME: join(home, '.config'), CLOUDFLARE_API_TOKEN: '', CLOUDFLARE_ACCOUNT_ID: '',
      WRANGLER_SEND_METRICS: 'false', CI: 'true', NO_COLOR: '1', FORCE_COLOR: '0',
    },
  });
  const output = `${r.out}${r.err}`;
  if (r.code !== 0) throw new Error(`wrangler deploy --dry-run exited with ${r.code}\n${output}`);
  const total = /Total Upload:\s*([\d.]+)\s*KiB\s*\/\s*gzip:\s*([\d.]+)\s*KiB/.exec(output);
  if (!total) throw new Error(`no "Total Upload" line in wrangler's output:\n${output}`);
  const files = readdirSync(outdir, { recursive: true })
    .filter((f) => statSync(join(outdir, f)).isFile())
    .sort()
    .map((f) => {
      const bytes = readFileSync(join(outdir, f));
      return { name: String(f), bytes, size: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
    });
  const version = JSON.parse(readFileSync(join(ROOT, 'node_modules', 'wrangler', 'package.json'), 'utf8')).version;
  const nodeVersion = (await run(node, ['--version'])).out.trim();
  return { version, node, nodeVersion, outdir, output, upload: { kib: Number(total[1]), gzipKib: Number(total[2]) }, files };
}
