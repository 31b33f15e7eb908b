// What benches/coldstart.mjs and benches/coldstart-ab.mjs share: the keys (a fresh merchant
// key and WeChat Pay public key written to a temporary folder, as a merchant's server reads
// them), one cold process of benches/coldstart-child.mjs, and the check of its header (the
// signature verified with node:crypto over the message both packages sign).
import { execFile } from 'node:child_process';
import { generateKeyPairSync, verify } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PATH = '/v3/papay/sign/contracts/pre-entrust-sign';
const BODY = '{"sign_scene":"SIGN_SCENE_QRCODE","appid":"wxd678efh567hg6787","plan_id":12535,"out_contract_code":"CS202611290001"}';
const child = fileURLToPath(new URL('./coldstart-child.mjs', import.meta.url));

// The fields of an Authorization header, in any order (the two packages order them differently).
function authFields(h) {
  if (!h.startsWith('WECHATPAY2-SHA256-RSA2048 ')) return null;
  const f = Object.fromEntries([...h.slice(26).matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
  return f.mchid === '1900000001' && f.serial_no === 'F5765756002FDD77' && f.nonce_str && /^\d+$/.test(f.timestamp) && f.signature ? f : null;
}

export const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
export const spread = (xs) => `${Math.min(...xs).toFixed(1)}-${Math.max(...xs).toFixed(1)}`;

/** The keys in a temporary folder; `once(which, node, pkg)` runs one child, `done()` removes them. */
export function coldStarts() {
  const merchant = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const platform = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const dir = mkdtempSync(join(tmpdir(), 'coldstart-'));
  writeFileSync(join(dir, 'merchant.pem'), merchant.privateKey.export({ type: 'pkcs8', format: 'pem' }));
  writeFileSync(join(dir, 'platform.pub.pem'), platform.publicKey.export({ type: 'spki', format: 'pem' }));
  /** One process of `which` (ours|peer|floor|none) on `node`, ours from `pkg` (a path to a
   * package entry; default: the package by name); its phases plus `process` (spawn to exit). */
  const once = (which, node = process.execPath, pkg = undefined) => new Promise((resolve, reject) => {
    const t = performance.now();
    execFile(node, [child, which, dir, ...(pkg ? [pkg] : [])], { timeout: 30_000 }, (err, stdout, stderr) => {
      const whole = performance.now() - t;
      if (err) return reject(new Error(`${which}: ${err.message}\n${stderr}`));
      const r = JSON.parse(stdout.trim().split('\n').pop());
      if (which !== 'none') {
        // The header must be right: signed by the merchant key over what the peer signs
        // (the peer re-serialises the body: the same text for this body).
        const f = authFields(r.header);
        if (!f) return reject(new Error(`${which}: bad header ${r.header}`));
        const ok = verify('sha256', Buffer.from(`POST\n${PATH}\n${f.timestamp}\n${f.nonce_str}\n${BODY}\n`), merchant.publicKey, Buffer.from(f.signature, 'base64'));
        if (!ok) return reject(new Error(`${which}: the signature does not verify: ${r.header}`));
      }
      resolve({ ...r, process: whole });
    });
  });
  return { once, done: () => rmSync(dir, { recursive: true, force: true }) };
}
