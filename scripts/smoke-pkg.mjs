#!/usr/bin/env node
// Installs the built package the way a user gets it (the `npm pack` tarball, unpacked into a
// throwaway project's node_modules) and loads it by name in each runtime, through the package's
// own exports map:
//
//   node-cjs  require('<name>')                          -> exports.node.require
//   node-esm  import '<name>'                            -> exports.node.import
//   deno      import '<name>' (deno run, node_modules)   -> exports.deno
//   workerd   a Worker run by miniflare (workerd), the entry resolved with wrangler's conditions
//             (workerd, worker, browser), *.wasm imported as CompiledWasm -> exports.workerd
//   browser   headless /usr/bin/chromium via playwright-core, an import map pointing the name
//             at the entry resolved with the browser conditions -> exports.browser
//   types     tsc (moduleResolution nodenext, strict, no skipLibCheck) type-checks an ESM and a
//             CommonJS consumer against the declarations the exports map names, and that every
//             name exported at run time is declared (not compared); plain ES2022 target and
//             lib (assemble-pkg drops wasm-bindgen's Symbol.dispose, which needs esnext libs)
//
//   node scripts/smoke-pkg.mjs [--pkg DIR] [--runtimes node-cjs,node-esm,deno,workerd,browser]
//                              [--expr 'JS expression using m']
//
// In each runtime it prints the sorted export names (less `default` and `initSync`) and the
// value of --expr (env SMOKE_EXPR; may use `await`; `m` is the module), and fails unless every
// runtime gives the same. Example for the probe crate:
//   --expr '[m.add(2, 3), await new m.Greeter("x").greet()]'
// Closes with the plain line 'N passed, N failed'.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync, rmSync, existsSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join, dirname, resolve, extname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(ROOT, 'package.json'));
const ALL = ['node-cjs', 'node-esm', 'deno', 'workerd', 'browser', 'types'];

const opts = { pkg: join(ROOT, 'pkg'), runtimes: 'node-cjs,node-esm,deno,workerd,types', expr: process.env.SMOKE_EXPR || 'null' };
for (let i = 2; i < process.argv.length; i++) {
  const k = process.argv[i].replace(/^--/, '');
  if (!(k in opts)) { console.error(`smoke: unknown option ${process.argv[i]}`); process.exit(2); }
  opts[k] = process.argv[++i];
}
const runtimes = opts.runtimes.split(',').filter(Boolean);
for (const r of runtimes) if (!ALL.includes(r)) { console.error(`smoke: unknown runtime ${r} (${ALL})`); process.exit(2); }
const pkgDir = resolve(opts.pkg);
if (!existsSync(join(pkgDir, 'package.json'))) {
  console.error(`smoke: no package at ${pkgDir}: build it first (make pkg)`);
  process.exit(1);
}
const pkgJson = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
const name = pkgJson.name;

// ---------------------------------------------------------------- the consumer project
const work = mkdtempSync(join(tmpdir(), 'smoke-pkg-'));
process.on('exit', () => rmSync(work, { recursive: true, force: true }));
const packed = JSON.parse(execFileSync('npm', ['pack', pkgDir, '--json', '--pack-destination', work, '--ignore-scripts'],
  { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }))[0];
const app = join(work, 'app');
const installed = join(app, 'node_modules', name);
mkdirSync(installed, { recursive: true });
execFileSync('tar', ['-xzf', join(work, packed.filename), '-C', installed, '--strip-components=1']);
writeFileSync(join(app, 'package.json'), JSON.stringify({
  name: 'smoke-app', private: true, type: 'module', dependencies: { [name]: pkgJson.version },
}));

/** Follows an exports target through conditions, as Node, esbuild and Deno do (first match). */
function resolveExport(target, conditions) {
  if (typeof target === 'string') return target;
  if (Array.isArray(target)) { for (const t of target) { const r = resolveExport(t, conditions); if (r) return r; } return null; }
  if (target && typeof target === 'object') {
    for (const [k, v] of Object.entries(target)) {
      if (k === 'types') continue;
      if (k === 'default' || conditions.includes(k)) { const r = resolveExport(v, conditions); if (r) return r; }
    }
  }
  return null;
}

// The probe run in every runtime: `m` is the module (namespace or CommonJS exports).
const report = (mod) => `
  const names = Object.keys(${mod}).filter((k) => k !== 'default' && k !== 'initSync').sort();
  const value = await (async (m) => (${opts.expr}))(${mod});
  return JSON.stringify({ names, value });`;

function run(cmd, args, { cwd = app, env = {}, timeout = 120_000 } = {}) {
  return new Promise((res, rej) => {
    const child = spawn(cmd, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '', err = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { err += d; });
    const timer = setTimeout(() => { child.kill('SIGKILL'); rej(new Error(`timed out after ${timeout} ms\n${err}`)); }, timeout);
    child.on('error', (e) => { clearTimeout(timer); rej(e); });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) res(out.trim().split('\n').pop());
      else rej(new Error(`${cmd} exited with ${code}\n${err}${out}`));
    });
  });
}

const checks = {
  'node-cjs': () => run(process.execPath, ['-e',
    `(async () => { const m = require(${JSON.stringify(name)}); console.log(await (async () => {${report('m')}})()); })()
       .catch((e) => { console.error(e); process.exit(1); });`]),

  'node-esm': () => run(process.execPath, ['--input-type=module', '-e',
    `import * as m from ${JSON.stringify(name)}; console.log(await (async () => {${report('m')}})());`]),

  deno: () => {
    writeFileSync(join(app, 'deno-main.mjs'),
      `import * as m from ${JSON.stringify(name)};\nconsole.log(await (async () => {${report('m')}})());\n`);
    const deno = join(ROOT, 'node_modules', '.bin', 'deno');
    // No permission flags: loading the package must need none.
    return run(deno, ['run', '--no-prompt', '--quiet', '--node-modules-dir=manual', 'deno-main.mjs'],
      { env: { DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1' } });
  },

  workerd: async () => {
    const entry = resolveExport(pkgJson.exports['.'], ['workerd', 'worker', 'browser', 'import']);
    writeFileSync(join(app, 'worker.mjs'),
      `import * as m from './node_modules/${name}/${entry.replace(/^\.\//, '')}';\n` +
      `export default { async fetch() { return new Response(await (async () => {${report('m')}})()); } };\n`);
    writeFileSync(join(app, 'miniflare-run.mjs'), `
      import { Miniflare } from ${JSON.stringify(pathToFileURL(require.resolve('miniflare')).href)};
      const mf = new Miniflare({
        modules: true,
        scriptPath: 'worker.mjs',
        modulesRoot: '.',
        // Wrangler's defaults: *.wasm imports are CompiledWasm; .js files are ESM in a package
        // with "type": "module" (miniflare alone would take .js for CommonJS).
        modulesRules: [
          { type: 'CompiledWasm', include: ['**/*.wasm'] },
          { type: 'ESModule', include: ['**/*.js', '**/*.mjs'] },
          { type: 'CommonJS', include: ['**/*.cjs'] },
        ],
        compatibilityDate: '2025-01-01',
      });
      try {
        const res = await mf.dispatchFetch('http://localhost/');
        const text = await res.text();
        if (res.status !== 200) throw new Error('worker answered ' + res.status + ': ' + text);
        console.log(text);
      } finally { await mf.dispose(); }`);
    return run(process.execPath, ['miniflare-run.mjs']);
  },

  types: async () => {
    // Every name the package exports at run time must be declared in its types.
    const n = JSON.stringify(name);
    const esmNames = JSON.stringify(JSON.parse(await checks['node-esm']()).names);
    const cjsNames = JSON.stringify(JSON.parse(await checks['node-cjs']()).names);
    writeFileSync(join(app, 'check-esm.mts'), `import * as m from ${n};\nexport const names: (keyof typeof m)[] = ${esmNames};\n`);
    writeFileSync(join(app, 'check-cjs.cts'), `import m = require(${n});\nexport const names: (keyof typeof m)[] = ${cjsNames};\n`);
    writeFileSync(join(app, 'tsconfig.json'), JSON.stringify({
      compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', lib: ['es2022', 'dom'],
        strict: true, noEmit: true, skipLibCheck: false, types: [] },
      files: ['check-esm.mts', 'check-cjs.cts'],
    }));
    await run(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.json']);
    return null;
  },

  browser: async () => {
    const entry = resolveExport(pkgJson.exports['.'], ['browser', 'import']);
    const { chromium } = require('playwright-core');
    const types = { '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm', '.html': 'text/html', '.json': 'application/json' };
    const page = `<!doctype html><meta charset="utf-8"><title>smoke</title>
      <script type="importmap">${JSON.stringify({ imports: { [name]: `/node_modules/${name}/${entry.replace(/^\.\//, '')}` } })}</script>
      <script type="module">
        window.smoke = (async () => { const m = await import(${JSON.stringify(name)}); ${report('m')} })()
          .catch((e) => 'ERROR ' + (e && e.stack || e));
      </script>`;
    const server = createServer((req, res) => {
      const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
      if (path === '/') { res.writeHead(200, { 'content-type': types['.html'] }); res.end(page); return; }
      const file = join(app, path);
      if (!file.startsWith(app + '/') || !existsSync(file)) { res.writeHead(404); res.end(); return; }
      res.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' });
      res.end(readFileSync(file));
    });
    await new Promise((r) => server.listen(0, '127.0.0.1', r));
    let browser;
    try {
      // playwright gives the browser a new empty profile of its own.
      browser = await chromium.launch({
        executablePath: '/usr/bin/chromium',
        args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
          '--disable-component-update', '--disable-sync'],
      });
      const p = await browser.newPage();
      const errors = [];
      p.on('pageerror', (e) => errors.push(String(e)));
      await p.goto(`http://127.0.0.1:${server.address().port}/`);
      await p.waitForFunction(() => window.smoke !== undefined, null, { timeout: 30_000 });
      const out = await p.evaluate(() => window.smoke);
      if (out.startsWith('ERROR') || errors.length) throw new Error(`${out}\n${errors.join('\n')}`);
      return out;
    } finally {
      await browser?.close();
      server.close();
    }
  },
};

let passed = 0, failed = 0;
const seen = new Map();
for (const r of runtimes) {
  const t0 = performance.now();
  try {
    const out = await checks[r]();
    if (out !== null) { JSON.parse(out); seen.set(r, out); }
    console.log(`smoke: ${r.padEnd(8)} ok   ${(performance.now() - t0).toFixed(0).padStart(5)} ms  ${out ?? '(type-checked)'}`);
    passed++;
  } catch (e) {
    console.log(`smoke: ${r.padEnd(8)} FAIL ${(performance.now() - t0).toFixed(0).padStart(5)} ms\n${String(e.stack || e).replace(/^/gm, '    ')}`);
    failed++;
  }
}
const distinct = new Set(seen.values());
if (distinct.size > 1) {
  console.log('smoke: FAIL the runtimes disagree:');
  for (const [r, out] of seen) console.log(`    ${r}: ${out}`);
  failed++;
} else if (seen.size) {
  passed++;
  console.log(`smoke: all ${seen.size} runtimes agree`);
}
console.log(`${passed} passed, ${failed} failed`);
process.exitCode = failed ? 1 : 0;
