#!/usr/bin/env node
// Assembles the npm package from two wasm-pack outputs (called by scripts/build-pkg.sh).
//
//   node scripts/assemble-pkg.mjs --web DIR --node DIR --out DIR --stem STEM --name NAME \
//        --crate DIR  < cargo-metadata.json
//   node scripts/assemble-pkg.mjs --verify-pack --out DIR
//
// Layout of the package (flat, so the glue's own `new URL('<stem>_bg.wasm', import.meta.url)`
// and the CJS glue's `${__dirname}/<stem>_bg.wasm` both point at the one shipped .wasm):
//
//   <stem>_bg.wasm     the optimized module, shared by every runtime
//   <stem>.js          wasm-bindgen `web` glue (ESM): the API + `initSync` + default `init`;
//                      it never loads the .wasm by itself: the entries below do
//   <stem>.d.ts        its types
//   <stem>.cjs         wasm-bindgen `nodejs` glue (CommonJS), reads the .wasm with fs at require()
//   <stem>.d.cts       its types
//   node.js            Node `import`: readFileSync(new URL(wasm, import.meta.url)) + initSync
//   index.cjs          Node `require()`: the CommonJS glue (+ the JS layer's CommonJS twin)
//   deno.js            Deno: `import source m from './<stem>_bg.wasm'` (in deno-wasm.js, loaded
//                      with a dynamic import) + initSync: needs no --allow-read; on a Deno
//                      without source-phase imports, Deno.readFile(new URL(wasm, import.meta.url))
//   workerd.js         Workers: `import wasmModule from './<stem>_bg.wasm'` + initSync;
//                      workerd forbids compiling wasm from bytes at run time, so the module
//                      must come from an import (wrangler's default rule makes *.wasm
//                      imports CompiledWasm, as does miniflare with a CompiledWasm rule)
//   browser.js         browsers, bundlers and anything else: top-level `await init(url)`
//   index.d.ts         types of the four ESM entries; index.d.cts: of index.cjs
//   <stem>_extra_bg.wasm, <stem>_extra.js (+ .d.ts), deno-extra-wasm.js: the extra module, when
//                      the crate has one (--extra): code few callers need, loaded on first use
//                      by the loader each entry registers (fs in Node, a source-phase import in
//                      Deno, a dynamic import of the CompiledWasm module in workerd, fetch in
//                      browsers)
//   js/                the crate's hand-written JS layer, when it has one (see below)
//   snippets/          JS snippets of #[wasm_bindgen(module/inline_js)], when the crate has any
//
// Every entry exports the same explicit list of names, already initialized: the glue's
// exports less wasm-bindgen's internals (initSync, the default init, `__*` names), plus the JS
// layer's. The `./web` subpath gives the raw glue for callers who want to load the .wasm
// themselves (`import init, { initSync } from '<name>/web'`).
import { readFileSync, writeFileSync, copyFileSync, mkdirSync, rmSync, readdirSync, existsSync,
  statSync, cpSync } from 'node:fs';
import { join, relative, dirname } from 'node:path';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { pathToFileURL, fileURLToPath } from 'node:url';

// typescript (a dev dependency of the repository) parses and transpiles.
const require = createRequire(join(dirname(fileURLToPath(import.meta.url)), '..', 'package.json'));

function args(argv) {
  const out = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) throw new Error(`unexpected argument ${a}`);
    const key = a.slice(2);
    if (key === 'verify-pack') out[key] = true;
    else out[key] = argv[++i];
  }
  return out;
}

// npm's normal form of a repository address: git+https://host/owner/name.git
function gitUrl(repo) {
  if (!/^https?:\/\//.test(repo)) return repo;
  return `git+${repo.replace(/\/$/, '')}${repo.endsWith('.git') ? '' : '.git'}`;
}

function fail(msg) {
  console.error(`assemble-pkg: ERROR: ${msg}`);
  process.exit(1);
}

function listFiles(dir) {
  const out = [];
  const walk = (d) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.push(relative(dir, p));
    }
  };
  walk(dir);
  return out.sort();
}

/** [module, name, kind] triples of a wasm file's imports and exports, as sorted strings. */
function wasmInterface(file) {
  const m = new WebAssembly.Module(readFileSync(file));
  return {
    imports: WebAssembly.Module.imports(m).map((i) => `${i.module}\0${i.name}\0${i.kind}`).sort(),
    exports: WebAssembly.Module.exports(m).map((e) => `${e.name}\0${e.kind}`).sort(),
  };
}

// wasm-bindgen declares `[Symbol.dispose](): void` on every exported class. `Symbol.dispose`
// exists only in TypeScript's esnext libs: under a plain ES2022 lib the name does not resolve,
// and the member then also collides with Client's `v3/...` index signature, so the package's
// types would not compile for most users. The declaration is dropped (the glue still sets
// `Symbol.dispose` at run time where the runtime has it; `free()` is declared either way).
function copyTypes(from, to) {
  const text = readFileSync(from, 'utf8');
  const kept = text.replace(/^ *\[Symbol\.dispose\]\(\): void;\n/gm, '');
  if (kept.includes('Symbol.dispose')) fail(`${from}: a Symbol.dispose declaration of an unknown form is left`);
  writeFileSync(to, kept);
}

const opt = args(process.argv.slice(2));
if (opt['verify-pack']) verifyPack(opt.out);
else await assemble(opt);

async function assemble({ web, node, out, stem, name, crate, js, extra }) {
  for (const [k, v] of Object.entries({ web, node, out, stem, name, crate })) {
    if (!v) fail(`missing --${k}`);
  }
  const meta = JSON.parse(readFileSync(0, 'utf8'));
  const manifest = join(crate, 'Cargo.toml');
  const pkg = meta.packages.find((p) => p.manifest_path === manifest) ?? meta.packages[0];

  // One .wasm for both glues: the CommonJS glue (built without wasm-opt) must find in the
  // optimized module every import it provides for and every export it calls.
  const w = wasmInterface(join(web, `${stem}_bg.wasm`));
  const n = wasmInterface(join(node, `${stem}_bg.wasm`));
  const missingImports = w.imports.filter((i) => !n.imports.includes(i));
  const missingExports = n.exports.filter((e) => !w.exports.includes(e));
  if (missingImports.length || missingExports.length) {
    fail('the web and nodejs builds of the .wasm differ in interface, one .wasm cannot serve both:\n' +
      `  imports only in the web build: ${missingImports.join(', ').replaceAll('\0', ' ')}\n` +
      `  exports only in the nodejs build: ${missingExports.join(', ').replaceAll('\0', ' ')}`);
  }
  const webGlue = readFileSync(join(web, `${stem}.js`), 'utf8');
  const nodeGlue = readFileSync(join(node, `${stem}.js`), 'utf8');
  const wasmRef = '`${__dirname}/' + `${stem}_bg.wasm\``;
  if (!nodeGlue.includes(wasmRef)) fail(`the nodejs glue does not load ${wasmRef}: wasm-bindgen changed its output`);
  if (!/export \{ initSync, __wbg_init as default \};/.test(webGlue)) {
    fail('the web glue does not export initSync and a default init: wasm-bindgen changed its output');
  }

  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const wasm = `${stem}_bg.wasm`;
  copyFileSync(join(web, wasm), join(out, wasm));
  copyFileSync(join(web, `${stem}.js`), join(out, `${stem}.js`));
  copyTypes(join(web, `${stem}.d.ts`), join(out, `${stem}.d.ts`));
  writeFileSync(join(out, `${stem}.cjs`),
    nodeGlue.replace(`/* @ts-self-types="./${stem}.d.ts" */`, `/* @ts-self-types="./${stem}.d.cts" */`));
  copyTypes(join(node, `${stem}.d.ts`), join(out, `${stem}.d.cts`));

  // The extra module (--extra: wasm-pack web output named <stem>_extra): code few callers
  // need, loaded on first use. The main module asks for it through the loader each entry
  // registers with `glue.__setExtraLoader`, in that runtime's way of loading wasm.
  const xstem = `${stem}_extra`;
  const xwasm = `${xstem}_bg.wasm`;
  if (extra) {
    const xglue = readFileSync(join(extra, `${xstem}.js`), 'utf8');
    if (!/export \{ initSync, __wbg_init as default \};/.test(xglue)) {
      fail('the extra module\'s web glue does not export initSync and a default init: wasm-bindgen changed its output');
    }
    for (const f of [xwasm, `${xstem}.js`]) copyFileSync(join(extra, f), join(out, f));
    copyTypes(join(extra, `${xstem}.d.ts`), join(out, `${xstem}.d.ts`));
    if (typeof (await import(pathToFileURL(join(out, `${stem}.js`)).href)).__setExtraLoader !== 'function') {
      fail('an extra module was built, but the main module has no __setExtraLoader export');
    }
  }

  // Snippets: both glues refer to the same ./snippets/<crate>-<hash>/... paths and files.
  for (const dir of [web, node]) {
    if (existsSync(join(dir, 'snippets'))) cpSync(join(dir, 'snippets'), join(out, 'snippets'), { recursive: true });
  }

  // README and licences of the crate ship with the package (npm adds them to any file list).
  for (const f of readdirSync(crate)) {
    if (/^(README|LICEN[CS]E)/i.test(f) && statSync(join(crate, f)).isFile()) copyFileSync(join(crate, f), join(out, f));
  }

  // ---------------------------------------------------------- the optional JS layer
  // <crate>/js/ (or --js DIR), hand-written ESM, copied to <pkg>/js/. Its index.js is
  // re-exported by every entry (its names win over the glue's), and if it exports
  // `__install(glue)`, each entry calls that right after the wasm is instantiated, with the
  // glue's namespace (e.g. to register a JS class with the wasm). Its modules are evaluated
  // before the wasm is loaded, so they must not call into the wasm at top level; they may
  // import the glue as '../<stem>.js'. js/index.d.ts, when present, types it.
  // require() gets CommonJS twins (js/*.cjs, js/*.d.cts) made by TypeScript's transpiler.
  const jsDir = js ?? join(crate, 'js');
  const hasJs = existsSync(join(jsDir, 'index.js'));
  const hasJsTypes = hasJs && existsSync(join(jsDir, 'index.d.ts'));
  if (hasJs) {
    cpSync(jsDir, join(out, 'js'), { recursive: true });
    const ts = require('typescript');
    for (const f of listFiles(join(out, 'js'))) {
      const path = join(out, 'js', f);
      if (f.endsWith('.d.ts')) {
        writeFileSync(path.replace(/\.d\.ts$/, '.d.cts'), toCjsSpecifiers(readFileSync(path, 'utf8')));
      } else if (f.endsWith('.js')) {
        const { outputText, diagnostics } = ts.transpileModule(readFileSync(path, 'utf8'), {
          fileName: f, reportDiagnostics: true,
          compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, removeComments: false },
        });
        if (diagnostics?.length) fail(`js/${f}: ${diagnostics.map((d) => ts.flattenDiagnosticMessageText(d.messageText, ' ')).join('; ')}`);
        writeFileSync(path.replace(/\.js$/, '.cjs'), toCjsSpecifiers(outputText));
        // Deno type-checks an npm package's modules from the JS it runs (not from `types`),
        // inferring types from the JS unless the file names its declarations, as the
        // wasm-bindgen glue does: without this, `WechatPayError` would be the bare JS class.
        const dts = f.replace(/\.js$/, '.d.ts');
        if (existsSync(join(out, 'js', dts))) {
          const base = dts.split('/').pop();
          writeFileSync(path, `/* @ts-self-types="./${base}" */\n${readFileSync(path, 'utf8')}`);
        }
      }
    }
    if (!hasJsTypes) console.error(`assemble-pkg: warning: ${jsDir}/index.d.ts missing: the JS layer ships untyped`);
  }

  // ---------------------------------------------------------- what the entries export
  // Explicit lists, so that the wasm-bindgen internals (initSync, the default init, `__*`
  // helpers) stay out of the package's API. The raw glue remains reachable as '<name>/web'.
  const internal = (k) => k === 'default' || k === 'initSync' || k.startsWith('__');
  const glueNs = await import(pathToFileURL(join(out, `${stem}.js`)).href);
  const apiNs = hasJs ? await import(pathToFileURL(join(out, 'js', 'index.js')).href) : {};
  const apiNames = Object.keys(apiNs).filter((k) => !internal(k));
  const glueNames = Object.keys(glueNs).filter((k) => !internal(k) && !apiNames.includes(k));
  const install = typeof apiNs.__install === 'function';
  const initTypes = ['initSync', 'InitInput', 'InitOutput', 'SyncInitInput'];
  const typeNames = (file) => declaredNames(join(out, file)).filter((k) => !initTypes.includes(k) && !internal(k)
    && !(hasJsTypes && apiNames.includes(k)));

  const glue = `./${stem}.js`;
  const list = (names) => names.map((n) => `  ${n},\n`).join('');
  // Registers the extra module's loader (an async function returning its initialised glue).
  const loader = (body) => extra ? `glue.__setExtraLoader(async () => {\n  const x = await import('./${xstem}.js');\n${body}  return x;\n});\n` : '';
  const head = (what) => `// ${name}: the entry for ${what}.\n// Generated by scripts/assemble-pkg.mjs.\n`;
  // @ts-self-types: Deno takes an entry's types from it (see the js/ layer above).
  const esmEntry = (what, load, imports = '') => `/* @ts-self-types="./index.d.ts" */\n` + head(what) + imports +
    `import * as glue from '${glue}';\n` +
    (hasJs ? `import * as api from './js/index.js';\n` : '') + '\n' +
    load +
    (install ? `api.__install(glue);\n` : '') + '\n' +
    (glueNames.length ? `export {\n${list(glueNames)}} from '${glue}';\n` : '') +
    (apiNames.length ? `export {\n${list(apiNames)}} from './js/index.js';\n` : '');
  const entries = {
    'node.js': esmEntry('Node.js `import`: the .wasm is read with node:fs and instantiated synchronously',
      `glue.initSync({ module: readFileSync(new URL('./${wasm}', import.meta.url)) });\n` +
      loader(`  x.initSync({ module: readFileSync(new URL('./${xwasm}', import.meta.url)) });\n`),
      `import { readFileSync } from 'node:fs';\n`),
    'deno.js': esmEntry('Deno. The .wasm comes as a compiled WebAssembly.Module from the source-phase\n' +
      '// import in deno-wasm.js: no --allow-read needed. A Deno too old for that syntax fails to\n' +
      '// parse that file (caught here) and the bytes are read instead, which needs --allow-read',
      `let module;\n` +
      `try {\n` +
      `  module = (await import('./deno-wasm.js')).default;\n` +
      `} catch (e) {\n` +
      `  if (!(e instanceof SyntaxError)) throw e;\n` +
      `  module = await Deno.readFile(new URL('./${wasm}', import.meta.url));\n` +
      `}\n` +
      `glue.initSync({ module });\n` +
      loader(`  let module;\n  try {\n    module = (await import('./deno-extra-wasm.js')).default;\n  } catch (e) {\n` +
        `    if (!(e instanceof SyntaxError)) throw e;\n    module = await Deno.readFile(new URL('./${xwasm}', import.meta.url));\n  }\n` +
        `  x.initSync({ module });\n`)),
    'deno-wasm.js': head('Deno, loaded by deno.js only (a source-phase import of the .wasm)') +
      `import source wasmModule from './${wasm}';\n\n` +
      `export default wasmModule;\n`,
    ...(extra ? {
      'deno-extra-wasm.js': head('Deno, loaded by deno.js on first use of the extra module') +
        `import source wasmModule from './${xwasm}';\n\n` +
        `export default wasmModule;\n`,
    } : {}),
    'workerd.js': esmEntry('Cloudflare Workers / workerd: the .wasm is imported as a compiled\n' +
      '// WebAssembly.Module (Workers forbid compiling wasm from bytes at run time; wrangler makes\n' +
      '// *.wasm imports CompiledWasm by default)',
      `glue.initSync({ module: wasmModule });\n` +
      loader(`  x.initSync({ module: (await import('./${xwasm}')).default });\n`),
      `import wasmModule from './${wasm}';\n`),
    'browser.js': esmEntry('browsers, bundlers and other runtimes: the .wasm is fetched from beside\n' +
      '// this file, with top-level await, so that importing this module gives a ready API',
      `await glue.default({ module_or_path: new URL('./${wasm}', import.meta.url) });\n` +
      loader(`  await x.default({ module_or_path: new URL('./${xwasm}', import.meta.url) });\n`)),
    'index.cjs': head('Node.js `require()`: the wasm-bindgen nodejs glue reads the .wasm at load') +
      `'use strict';\n` +
      `const glue = require('./${stem}.cjs');\n` +
      (hasJs ? `const api = require('./js/index.cjs');\n` : '') +
      (install ? `\napi.__install(glue);\n` : '') +
      (extra ? `glue.__setExtraLoader(async () => {\n  const x = await import('./${xstem}.js');\n` +
        `  x.initSync({ module: require('node:fs').readFileSync(require('node:path').join(__dirname, '${xwasm}')) });\n` +
        `  return x;\n});\n` : '') + '\n' +
      glueNames.map((n) => `exports.${n} = glue.${n};\n`).join('') +
      apiNames.map((n) => `exports.${n} = api.${n};\n`).join(''),
  };
  for (const [file, text] of Object.entries(entries)) writeFileSync(join(out, file), text);

  const dts = (names, from, api) => `// Types of the package's entries (generated by scripts/assemble-pkg.mjs).\n` +
    (names.length ? `export {\n${list(names)}} from '${from}';\n` : '') +
    (hasJsTypes ? `export * from '${api}';\n` : '');
  writeFileSync(join(out, 'index.d.ts'), dts(typeNames(`${stem}.d.ts`), glue, './js/index.js'));
  writeFileSync(join(out, 'index.d.cts'), dts(typeNames(`${stem}.d.cts`), `./${stem}.cjs`, './js/index.cjs'));

  const esm = (file) => ({ types: './index.d.ts', default: `./${file}` });
  const packageJson = {
    name,
    version: pkg.version,
    description: pkg.description ?? undefined,
    license: pkg.license ?? undefined,
    repository: pkg.repository ? { type: 'git', url: gitUrl(pkg.repository) } : undefined,
    homepage: pkg.homepage ?? undefined,
    keywords: pkg.keywords?.length ? pkg.keywords : undefined,
    type: 'module',
    // Condition order matters (first match wins): workerd and deno also match `node`/`import`
    // in their resolvers, so they come first.
    exports: {
      '.': {
        workerd: esm('workerd.js'),
        deno: esm('deno.js'),
        node: {
          import: esm('node.js'),
          require: { types: './index.d.cts', default: './index.cjs' },
        },
        browser: esm('browser.js'),
        default: esm('browser.js'),
      },
      // The raw web glue, not initialized: `import init, { initSync } from '<name>/web'`.
      './web': { types: `./${stem}.d.ts`, default: glue },
      './wasm': `./${wasm}`,
      ...(extra ? { './extra.wasm': `./${xwasm}` } : {}),
      './package.json': './package.json',
    },
    // For tools that ignore `exports`.
    main: './index.cjs',
    module: './browser.js',
    types: './index.d.ts',
    files: [
      wasm, `${stem}.js`, `${stem}.d.ts`, `${stem}.cjs`, `${stem}.d.cts`,
      'node.js', 'deno.js', 'deno-wasm.js', 'workerd.js', 'browser.js', 'index.cjs', 'index.d.ts', 'index.d.cts',
      ...(extra ? [xwasm, `${xstem}.js`, `${xstem}.d.ts`, 'deno-extra-wasm.js'] : []),
      ...(hasJs ? ['js/'] : []),
      ...(existsSync(join(out, 'snippets')) ? ['snippets/'] : []),
    ],
    // Issue 6 asks for `sideEffects: false`; this deviates deliberately.
    // Not `false`: the entries instantiate the wasm at import, and a bundler told the whole
    // package is side-effect free may link the re-exports straight to the glue and drop the
    // entry, leaving the wasm never loaded. The glue, js/ and snippets are side-effect free.
    sideEffects: ['./node.js', './deno.js', './workerd.js', './browser.js', './index.cjs'],
    engines: { node: '>=20' },
  };
  writeFileSync(join(out, 'package.json'), JSON.stringify(packageJson, null, 2) + '\n');
}

/** Relative './x.js' module specifiers -> './x.cjs' (the CommonJS twins). */
function toCjsSpecifiers(text) {
  return text.replace(/((?:require\(|from\s*|import\()\s*)(['"])(\.{1,2}\/[^'"]+)\.js\2/g, '$1$2$3.cjs$2');
}

/** Names a declaration file exports (not its default export), read with TypeScript's parser. */
function declaredNames(file) {
  const ts = require('typescript');
  const sf = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, false);
  const names = new Set();
  for (const st of sf.statements) {
    const mods = ts.canHaveModifiers(st) ? ts.getModifiers(st) ?? [] : [];
    if (!mods.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)) {
      if (ts.isExportDeclaration(st) && st.exportClause && ts.isNamedExports(st.exportClause)) {
        for (const e of st.exportClause.elements) names.add(e.name.text);
      }
      continue;
    }
    if (mods.some((m) => m.kind === ts.SyntaxKind.DefaultKeyword)) continue;
    if (ts.isVariableStatement(st)) {
      for (const d of st.declarationList.declarations) if (ts.isIdentifier(d.name)) names.add(d.name.text);
    } else if (st.name && ts.isIdentifier(st.name)) {
      names.add(st.name.text);
    }
  }
  return [...names];
}

function verifyPack(out) {
  if (!out) fail('missing --out');
  // Every file in the folder is meant to ship, and nothing else is: compare with npm's list.
  const json = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
    cwd: out, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'],
  });
  const packed = JSON.parse(json)[0].files.map((f) => f.path).sort();
  const present = listFiles(out);
  const extra = packed.filter((f) => !present.includes(f));
  const missing = present.filter((f) => !packed.includes(f));
  if (extra.length || missing.length) {
    fail(`npm pack --dry-run lists other files than the package folder holds:\n` +
      `  not in the folder: ${extra.join(', ') || '-'}\n  left out by npm: ${missing.join(', ') || '-'}`);
  }
  // Every path the package.json names must ship.
  const pj = JSON.parse(readFileSync(join(out, 'package.json'), 'utf8'));
  const named = new Set([pj.main, pj.module, pj.types, ...pj.sideEffects]);
  const walk = (v) => {
    if (typeof v === 'string') named.add(v);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  walk(pj.exports);
  const unshipped = [...named].map((p) => p.replace(/^\.\//, '')).filter((p) => !packed.includes(p));
  if (unshipped.length) fail(`package.json names files that do not ship: ${unshipped.join(', ')}`);
  console.error(`assemble-pkg: npm pack --dry-run lists exactly the ${packed.length} intended files: ${packed.join(' ')}`);
}
