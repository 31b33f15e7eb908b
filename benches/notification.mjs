// Benchmark: notifications verified and decrypted per second, ours against node:crypto
// (verify with a cached KeyObject + AES-256-GCM decipher + JSON.parse), in the same run.
// Run: make bench   (or: node benches/notification.mjs after make pkg)
import { createCipheriv, createDecipheriv, createSign, createVerify, generateKeyPairSync, randomBytes } from 'node:crypto';
import { Client } from 'wechatpay-wasm';
import { measure, table } from './measure.mjs';

const merchant = generateKeyPairSync('rsa', { modulusLength: 2048 });
const wechat = generateKeyPairSync('rsa', { modulusLength: 2048 });
const KEY_ID = 'PUB_KEY_ID_0114232134912410000000000000';
const apiv3Key = randomBytes(16).toString('hex');

const resource = JSON.stringify({
  mchid: '1900000001', contract_id: 'Wx15463511252015071056489715', appid: 'wxd678efh567hg6787',
  plan_id: 12535, out_contract_code: 'wxwtdk20200910100000', contract_display_account: '微信代扣用户A',
  contract_state: 'SIGNED', contract_signed_time: '2026-11-27T10:00:00+08:00',
  contract_expired_time: '2031-11-27T10:00:00+08:00', openid: 'oYobu0MVnQfWpSMOYJz2AHPG_gQw', out_user_code: '用户A',
});
const nonce = randomBytes(6).toString('hex');
const cipher = createCipheriv('aes-256-gcm', Buffer.from(apiv3Key), Buffer.from(nonce));
cipher.setAAD(Buffer.from('entrust'));
const ciphertext = Buffer.concat([cipher.update(resource), cipher.final(), cipher.getAuthTag()]).toString('base64');
const body = JSON.stringify({ id: 'EV-1', create_time: '2026-11-27T10:00:01+08:00', resource_type: 'encrypt-resource', event_type: 'ENTRUST.SIGN', summary: '签约成功', resource: { original_type: 'entrust', algorithm: 'AEAD_AES_256_GCM', ciphertext, associated_data: 'entrust', nonce } });
const ts = String(Math.floor(Date.now() / 1000));
const hnonce = randomBytes(16).toString('hex');
const signature = createSign('RSA-SHA256').update(`${ts}\n${hnonce}\n${body}\n`).sign(wechat.privateKey, 'base64');
const headers = { 'wechatpay-timestamp': ts, 'wechatpay-nonce': hnonce, 'wechatpay-signature': signature, 'wechatpay-serial': KEY_ID };

const options = (crypto) => ({
  mchid: '1900000001', serial: 'F5765756002FDD77', apiv3Key, crypto,
  privateKey: merchant.privateKey.export({ type: 'pkcs8', format: 'pem' }),
  certs: { [KEY_ID]: wechat.publicKey.export({ type: 'spki', format: 'pem' }) },
});
const web = new Client(options('webcrypto'));
const rust = new Client(options('rust'));
const keyObject = wechat.publicKey;

function nodeParse() {
  if (!createVerify('RSA-SHA256').update(`${headers['wechatpay-timestamp']}\n${headers['wechatpay-nonce']}\n${body}\n`).verify(keyObject, headers['wechatpay-signature'], 'base64')) throw new Error('bad');
  const env = JSON.parse(body);
  const data = Buffer.from(env.resource.ciphertext, 'base64');
  const d = createDecipheriv('aes-256-gcm', Buffer.from(apiv3Key), Buffer.from(env.resource.nonce));
  d.setAAD(Buffer.from(env.resource.associated_data));
  d.setAuthTag(data.subarray(data.length - 16));
  env.resource = JSON.parse(Buffer.concat([d.update(data.subarray(0, data.length - 16)), d.final()]).toString());
  return env;
}

function nodeVerifyOnly() {
  if (!createVerify('RSA-SHA256').update(`${headers['wechatpay-timestamp']}\n${headers['wechatpay-nonce']}\n${body}\n`).verify(keyObject, headers['wechatpay-signature'], 'base64')) throw new Error('bad');
  return { resource: { contract_state: 'SIGNED' } };
}
function nodeDecryptOnly() {
  const data = Buffer.from(ciphertext, 'base64');
  const d = createDecipheriv('aes-256-gcm', Buffer.from(apiv3Key), Buffer.from(nonce));
  d.setAAD(Buffer.from('entrust'));
  d.setAuthTag(data.subarray(data.length - 16));
  return { resource: JSON.parse(Buffer.concat([d.update(data.subarray(0, data.length - 16)), d.final()]).toString()) };
}

// The same work with WebCrypto from JS, as one would write it by hand: verify, then decrypt.
// (Ours starts the decryption while the signature is being verified, once the APIv3 key is
// imported, so it can pass this.)
const subtle = globalThis.crypto.subtle;
const enc = new TextEncoder();
const subtleVerifyKey = await subtle.importKey('spki', wechat.publicKey.export({ type: 'spki', format: 'der' }), { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, false, ['verify']);
const subtleAesKey = await subtle.importKey('raw', enc.encode(apiv3Key), 'AES-GCM', false, ['decrypt']);
async function webCryptoParse() {
  const message = enc.encode(`${headers['wechatpay-timestamp']}\n${headers['wechatpay-nonce']}\n${body}\n`);
  if (!(await subtle.verify('RSASSA-PKCS1-v1_5', subtleVerifyKey, Buffer.from(headers['wechatpay-signature'], 'base64'), message))) throw new Error('bad');
  const env = JSON.parse(body);
  const { nonce: iv, associated_data: aad, ciphertext: ct } = env.resource;
  const plain = await subtle.decrypt({ name: 'AES-GCM', iv: enc.encode(iv), additionalData: enc.encode(aad) }, subtleAesKey, Buffer.from(ct, 'base64'));
  env.resource = JSON.parse(new TextDecoder().decode(plain));
  return env;
}

const impls = {
  'wechatpay-wasm parseNotification (WebCrypto)': () => web.parseNotification({ headers, body }),
  'wechatpay-wasm parseNotification (rsa crate)': () => rust.parseNotification({ headers, body }),
  'raw WebCrypto from JS, verify then decrypt': webCryptoParse,
  'node:crypto verify + decipher, cached KeyObject': nodeParse,
  '  node:crypto verify only': nodeVerifyOnly,
  '  node:crypto decipher + JSON.parse only': nodeDecryptOnly,
};

const res = await measure(impls, (ev) => {
  if (ev.resource.contract_state !== 'SIGNED') throw new Error('wrong result');
});
table(`Notifications verified + decrypted per second (RSA-2048, ${body.length}-byte body)`, res);
const ours = res['wechatpay-wasm parseNotification (WebCrypto)'];
const node = res['node:crypto verify + decipher, cached KeyObject'];
const raw = res['raw WebCrypto from JS, verify then decrypt'];
console.log(`\nours / node:crypto: ${(ours.seq / node.seq).toFixed(2)}x sequential, ${(ours.par / node.par).toFixed(2)}x with 16 in flight`);
console.log(`ours / raw WebCrypto: ${(ours.seq / raw.seq).toFixed(2)}x sequential, ${(ours.par / raw.par).toFixed(2)}x with 16 in flight`);
