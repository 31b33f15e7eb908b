// Helpers of tests/runtimes/run.mjs and benches/runtimes.mjs: the package installed the way a
// user gets it, child processes, and a Worker (the example) in workerd through miniflare.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync, rmSync, existsSync, cpSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const PKG = process.env.PKG_OUT ? resolve(process.env.PKG_OUT) : join(ROOT, 'pkg');

/**
 * `npm pack pkg/`, then `npm install <tarball>` into a fresh temp project, offline (the package
 * has no dependencies, so nothing is fetched). Returns the project folder, the tarball and its
 * (gzipped) size; `cleanup()` removes everything.
 */
export function installPackedPackage() {
  if (!existsSync(join(PKG, 'package.json'))) throw new Error(`no package at ${PKG}: run make pkg`);
  const pkgJson = JSON.parse(readFileSync(join(PKG, 'package.json'), 'utf8'));
  const work = mkdtempSync(join(tmpdir(), 'wechatpay-runtimes-'));
  const npmEnv = { ...process.env, npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' };
  const packed = JSON.parse(execFileSync('npm', ['pack', PKG, '--json', '--pack-destination', work, '--ignore-scripts'],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: npmEnv }))[0];
  const tgz = join(work, packed.filename);
  const app = join(work, 'app');
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'runtimes-app', private: true, version: '0.0.0' }, null, 2));
  execFileSync('npm', ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', '--no-package-lock', tgz],
    { cwd: app, stdio: ['ignore', 'pipe', 'pipe'], env: npmEnv });
  const installed = join(app, 'node_modules', pkgJson.name);
  if (!existsSync(join(installed, 'package.json'))) throw new Error(`npm install did not install ${pkgJson.name}`);
  return {
    work, app, tgz, name: pkgJson.name, version: pkgJson.version, installed,
    tgzSize: statSync(tgz).size, unpackedSize: packed.unpackedSize, fileCount: packed.entryCount,
    cleanup: () => rmSync(work, { recursive: true, force: true }),
  };
}

/** Copies an example folder (not its node_modules) into the project. */
export function copyExample(app, name) {
  const to = join(app, name);
  cpSync(join(ROOT, 'examples', name), to, {
    recursive: true,
    filter: (src) => !src.includes('node_modules') && !src.endsWith('package.json'),
  });
  return to;
}

/** Runs a command; resolves { code, out, err, ms }; kills it after `timeout` ms. */
export function run(cmd, args, { cwd, env = {}, timeout = 90_000 } = {}) {
  return new Promise((res, rej) => {
    const t0 = performance.now();
    const child = spawn(cmd, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '', err = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { err += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeout);
    child.on('error', (e) => { clearTimeout(timer); rej(e); });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      res({ code: code ?? (signal === 'SIGKILL' ? `killed after ${timeout} ms` : signal), out, err, ms: performance.now() - t0 });
    });
  });
}

/** Modules of the package that the `workerd` entry reaches (followed from its imports). */
function workerdModules(installed, entry) {
  const seen = new Set();
  const visit = (rel) => {
    if (seen.has(rel)) return;
    seen.add(rel);
    if (rel.endsWith('.wasm')) return;
    const text = readFileSync(join(installed, rel), 'utf8');
    for (const m of text.matchAll(/(?:import|export)\s[^'"]*?from\s*['"](\.{1,2}\/[^'"]+)['"]|import\s*['"](\.{1,2}\/[^'"]+)['"]/g)) {
      visit(join(dirname(rel), m[1] ?? m[2]));
    }
  };
  visit(entry);
  return [...seen];
}

/**
 * A Worker in workerd via miniflare. `main` is the Worker's entry (an absolute path under
 * `app`); its `import 'wechatpay-wasm'` resolves, as wrangler resolves it, to the package's
 * `workerd` export, with the .wasm as CompiledWasm. Returns the Miniflare instance and its URL.
 */
export async function startWorker({ app, name, installed, main, bindings = {}, extraModules = [] }) {
  const { Miniflare } = await import(join(ROOT, 'node_modules', 'miniflare', 'dist', 'src', 'index.js'));
  const pkgJson = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8'));
  const entry = pkgJson.exports['.'].workerd.default.replace(/^\.\//, '');
  const pkgPrefix = join('node_modules', name);
  const modules = [
    // The entry at the root of the module tree (as a bundle is): workerd resolves a bare
    // specifier relative to the importing module's folder.
    { type: 'ESModule', path: join(app, 'worker.js'), contents: readFileSync(main, 'utf8') },
    ...extraModules,
    // The bare specifier: workerd looks a non-relative import up by module name.
    { type: 'ESModule', path: join(app, name), contents: `export * from './${pkgPrefix}/${entry}';\n` },
    ...workerdModules(installed, entry).map((rel) => ({
      type: rel.endsWith('.wasm') ? 'CompiledWasm' : 'ESModule',
      path: join(app, pkgPrefix, rel),
    })),
  ];
  const mf = new Miniflare({
    modules,
    modulesRoot: app,
    compatibilityDate: '2025-01-01',
    bindings,
    host: '127.0.0.1',
    port: 0,
  });
  const url = await mf.ready;
  return { mf, url: String(url).replace(/\/$/, '') };
}

/** Pids of the workerd processes below `pid` (miniflare starts one). */
export function workerdPids(pid = process.pid) {
  const out = [];
  const children = (p) => {
    let list = '';
    try { list = readFileSync(`/proc/${p}/task/${p}/children`, 'utf8'); } catch { return; }
    for (const c of list.trim().split(/\s+/).filter(Boolean)) {
      let comm = '';
      try { comm = readFileSync(`/proc/${c}/comm`, 'utf8').trim(); } catch { continue; }
      if (comm.includes('workerd')) out.push(Number(c));
      children(c);
    }
  };
  children(pid);
  return out;
}

/** utime + stime of a process (all its threads), in ms. */
export function cpuMs(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14, 15 of stat)
  return (ticks * 1000) / CLK_TCK;
}
const CLK_TCK = (() => {
  try { return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100; } catch { return 100; }
})();
