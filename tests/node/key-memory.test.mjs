// No copy of a secret is left in wasm memory after client.free() (issue 17, point 3): the
// private key's PEM text (each base64 line), its DER (PKCS#8 and PKCS#1), its JWK numbers
// and the APIv3 key, in the main module and in the extra module (`crypto: 'rust'`). The
// memories are reached through the glue of each module: its `initSync`, called again once the
// module is loaded, returns the instance's exports (`memory` among them) without loading it
// again. Keys and notifications are made with node:crypto.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCipheriv, createSign, generateKeyPairSync, randomBytes } from 'node:crypto';
import { pkg } from './helpers.mjs';

const { Client } = pkg;
const pkgDir = new URL('./', import.meta.resolve('wechatpay-wasm'));
const memoryOf = async (glue) => (await import(new URL(glue, pkgDir))).initSync({ module: new Uint8Array(0) }).memory;

const KEY_ID = 'PUB_KEY_ID_0114232134912410000000000000';
const wechat = generateKeyPairSync('rsa', { modulusLength: 2048 });

function secrets() {
  const merchant = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = merchant.privateKey.export({ type: 'pkcs8', format: 'pem' });
  const apiv3Key = randomBytes(16).toString('hex');
  const jwk = merchant.privateKey.export({ format: 'jwk' });
  const ders = [merchant.privateKey.export({ type: 'pkcs8', format: 'der' }), merchant.privateKey.export({ type: 'pkcs1', format: 'der' })];
  // What to look for, as [label, bytes]: every base64 line of the PEM; 24-byte windows of
  // each DER (every 48 bytes: the DER holds the private numbers, so any window is secret,
  // but the first bytes of the structure are the same for every key and are skipped); 24
  // characters of each private JWK member; the APIv3 key.
  const needles = [];
  const lines = pem.split('\n').filter((l) => l && !l.startsWith('-----'));
  lines.forEach((l, i) => needles.push([`PEM line ${i + 1}`, Buffer.from(l)]));
  ders.forEach((der, d) => {
    for (let at = 48; at + 24 <= der.length; at += 48) needles.push([`${d ? 'PKCS#1' : 'PKCS#8'} DER at ${at}`, der.subarray(at, at + 24)]);
  });
  for (const m of ['d', 'p', 'q', 'dp', 'dq', 'qi']) needles.push([`JWK ${m}`, Buffer.from(jwk[m].slice(8, 32))]);
  needles.push(['APIv3 key', Buffer.from(apiv3Key)]);
  return { pem, apiv3Key, needles };
}

function notification(apiv3Key) {
  const resource = JSON.stringify({ mchid: '1900000001', contract_id: 'Wx1', appid: 'wxd678efh567hg6787', plan_id: 1, out_contract_code: 'c1', contract_state: 'SIGNED', openid: 'o1' });
  const nonce = randomBytes(6).toString('hex');
  const cipher = createCipheriv('aes-256-gcm', Buffer.from(apiv3Key), Buffer.from(nonce));
  cipher.setAAD(Buffer.from('entrust'));
  const ciphertext = Buffer.concat([cipher.update(resource), cipher.final(), cipher.getAuthTag()]).toString('base64');
  const body = JSON.stringify({ id: 'EV-1', create_time: '2026-11-27T10:00:01+08:00', resource_type: 'encrypt-resource', event_type: 'ENTRUST.SIGN', summary: 's', resource: { original_type: 'entrust', algorithm: 'AEAD_AES_256_GCM', ciphertext, associated_data: 'entrust', nonce } });
  const ts = String(Math.floor(Date.now() / 1000));
  const hnonce = randomBytes(16).toString('hex');
  const signature = createSign('RSA-SHA256').update(`${ts}\n${hnonce}\n${body}\n`).sign(wechat.privateKey, 'base64');
  return { body, headers: { 'wechatpay-timestamp': ts, 'wechatpay-nonce': hnonce, 'wechatpay-signature': signature, 'wechatpay-serial': KEY_ID } };
}

function found(memory, needles) {
  const mem = Buffer.from(memory.buffer);
  return needles.filter(([, bytes]) => mem.indexOf(bytes) !== -1).map(([label]) => label);
}

for (const crypto of ['webcrypto', 'rust']) {
  test(`after free(), no copy of the private key or the APIv3 key is left in wasm memory (crypto: '${crypto}')`, async () => {
    const { pem, apiv3Key, needles } = secrets();
    // Scanned after each free(): a copy freed without being wiped is overwritten by later
    // allocations, so each use is looked at on its own. Constructed only, and used as a
    // server uses it (requests signed, notifications opened); the PEM as given, with
    // literal "\n" and with CRLF (the forms that are normalised).
    const left = [];
    for (const privateKey of [pem, pem.replace(/\n/g, '\\n'), pem.replace(/\n/g, '\r\n')]) {
      for (const use of [false, true]) {
        const c = new Client({ mchid: '1900000001', serial: 'F5765756002FDD77', privateKey, apiv3Key, crypto, certs: { [KEY_ID]: wechat.publicKey.export({ type: 'spki', format: 'pem' }) } });
        if (use) {
          await c.authorization('GET', '/v3/x', '');
          for (let i = 0; i < 2; i++) assert.equal((await c.parseNotification(notification(apiv3Key))).resource.contract_state, 'SIGNED');
        }
        c.free();
        const where = `${JSON.stringify(privateKey.slice(27, 30))}${use ? ', used' : ''}`;
        for (const label of found(await memoryOf('wechatpay_wasm.js'), needles)) left.push(`main (${where}): ${label}`);
        if (crypto === 'rust' && use) {
          for (const label of found(await memoryOf('wechatpay_wasm_extra.js'), needles)) left.push(`extra (${where}): ${label}`);
        }
      }
    }
    assert.deepEqual(left, [], 'copies left in wasm memory after free()');
  });
}

test('the scan finds a secret that is still in use (it can fail)', async () => {
  const { pem, apiv3Key, needles } = secrets();
  const c = new Client({ mchid: '1900000001', serial: 'F5765756002FDD77', privateKey: pem, apiv3Key, crypto: 'rust', certs: { [KEY_ID]: wechat.publicKey.export({ type: 'spki', format: 'pem' }) } });
  await c.authorization('GET', '/v3/x', '');
  const live = found(await memoryOf('wechatpay_wasm.js'), needles);
  // The client holds the PKCS#1 DER and the APIv3 key until it is freed.
  assert.ok(live.includes('APIv3 key'), live.join(', '));
  assert.ok(live.some((l) => l.startsWith('PKCS#1 DER')), live.join(', '));
  c.free();
});
