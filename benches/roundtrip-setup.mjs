// What benches/roundtrip.mjs measures and benches/roundtrip-profile.mjs profiles: the keys,
// the server in its own process (benches/presign-server.mjs), and the implementations of one
// presign round trip and of its parts. Every implementation returns [got, expected]: the
// caller's check throws when they differ, so a wrong answer cannot look fast.
import { fork } from 'node:child_process';
import { generateKeyPairSync, randomBytes, sign as nodeSign, verify as nodeVerify } from 'node:crypto';
import { request as httpRequest, Agent } from 'node:http';
import { Client } from 'wechatpay-wasm';
import { Wechatpay } from 'wechatpay-axios-plugin';

const PATH = '/v3/papay/sign/contracts/pre-entrust-sign';
const MCHID = '1900000001';
const SERIAL = 'F5765756002FDD77';
const KEY_ID = 'PUB_KEY_ID_0114232134912410000000000000';
export const ID_PREFIX = '5778aadY9nltAsZzRkGCgn';
export const SERVER_SIGN = process.env.BENCH_SERVER_SIGN === 'once' ? 'once' : 'each';

const merchant = generateKeyPairSync('rsa', { modulusLength: 2048 });
const platform = generateKeyPairSync('rsa', { modulusLength: 2048 });
const pem = merchant.privateKey.export({ type: 'pkcs8', format: 'pem' });
const platformPublicPem = platform.publicKey.export({ type: 'spki', format: 'pem' });

/** `[got, expected]` must be equal; throws otherwise. */
export function check([got, want]) {
  if (got !== want) throw new Error(`wrong result: ${got}, expected ${want}`);
}

// A body as a merchant sends it; out_contract_code cycles through 500 values, so that each
// answer names the request it answers (and BENCH_SERVER_SIGN=once has bodies to reuse).
let counter = 0;
export function body() {
  counter = (counter + 1) % 500;
  return {
    sign_scene: 'SIGN_SCENE_QRCODE', appid: 'wxd678efh567hg6787', plan_id: 12535,
    out_contract_code: `RT20261129${String(counter).padStart(4, '0')}`,
    contract_display_account: '微信代扣用户A', contract_notify_url: 'https://yourapp.example/notify',
    out_user_code: '用户A', return_url: 'https://yourapp.example/return',
    device_info: {
      device_type: 'DEVICE_TYPE_PHONE', device_os: 'iOS 17.4', device_id: 'example_device_id',
      device_running_as_root: false, device_ip: '203.0.113.7', weixin_installed: true,
      weixin_version: '8.0.47', days_since_first_login: 'DAYS_SINCE_FIRST_LOGIN_WITHIN_30_DAYS',
    },
  };
}

/** Runs `fn(baseURL, serverCpu)` with the server up in its own process; stops it after, or on
 * error; returns { result, stats } (stats: the server's requests, rejections, CPU ms).
 * `serverCpu()`: a promise of the server's { us, requests } so far (CPU of all its threads),
 * for `cpuPerCall`'s `server` option; one call at a time. */
export async function withServer(fn) {
  const server = fork(new URL('./presign-server.mjs', import.meta.url), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const stop = () => { if (server.exitCode === null && server.signalCode === null) server.kill(); };
  process.on('exit', stop);
  const onSignal = () => { stop(); process.exit(130); };
  for (const sig of ['SIGINT', 'SIGTERM']) process.once(sig, onSignal);
  const reply = () => new Promise((resolve, reject) => {
    const onExit = (code) => reject(new Error(`the server exited (${code})`));
    server.once('exit', onExit);
    server.once('message', (m) => { server.off('exit', onExit); resolve(m); });
  });
  try {
    server.send({
      merchantPublicKey: merchant.publicKey.export({ type: 'spki', format: 'pem' }),
      platformPrivateKey: platform.privateKey.export({ type: 'pkcs8', format: 'pem' }),
      platformKeyId: KEY_ID, sign: SERVER_SIGN,
    });
    const { port } = await reply();
    const serverCpu = async () => {
      server.send({ cpu: true });
      return (await reply()).cpu;
    };
    const result = await fn(`http://127.0.0.1:${port}`, serverCpu);
    server.send({ stop: true });
    const { stats } = await reply();
    if (stats.rejected) throw new Error(`the server rejected ${stats.rejected} of ${stats.requests} requests`);
    return { result, stats };
  } finally {
    stop();
  }
}

/** The options of a client of ours (or of a scratch build's `Client`) against `base`. */
export const clientOptions = (base) => ({ mchid: MCHID, serial: SERIAL, privateKey: pem, certs: { [KEY_ID]: platformPublicPem }, baseURL: base });

/** The implementations against the server at `base`: { name: fn }, and `close()`. */
export async function implementations(base) {
  const ours = new Client(clientOptions(base));
  const peer = new Wechatpay({ mchid: MCHID, serial: SERIAL, privateKey: pem, certs: { [KEY_ID]: platformPublicPem }, baseURL: `${base}/` });

  // The bare request: one body, an Authorization made once (the server checks it, as for
  // the packages), the headers ours sends; nothing verified on the way back.
  const fixedText = JSON.stringify(body());
  const fixedId = ID_PREFIX + JSON.parse(fixedText).out_contract_code;
  const headers = {
    Accept: 'application/json', 'Content-Type': 'application/json', 'User-Agent': 'bench',
    'Wechatpay-Serial': KEY_ID, Authorization: await ours.authorization('POST', PATH, fixedText),
  };
  const agent = new Agent({ keepAlive: true }); // as Node's global agent, which axios rides on
  // The `fetch` option (issue 19): a transport on node:http with the keep-alive agent above,
  // instead of undici's fetch, the biggest part of ours on Node (docs/perf.md).
  const httpFetch = (input, init) => new Promise((resolve, reject) => {
    const req = httpRequest(input, { method: init.method, headers: Object.fromEntries(init.headers), agent, signal: init.signal }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const h = Object.entries(res.headers).filter(([, v]) => typeof v === 'string');
        resolve(new Response(Buffer.concat(chunks), { status: res.statusCode, headers: h }));
      });
      res.on('error', reject);
    });
    req.on('error', (e) => reject(new TypeError('fetch failed', { cause: e })));
    req.end(init.body);
  });
  const oursHttp = new Client({ ...clientOptions(base), fetch: httpFetch });

  // Signing and verifying alone, on messages of the round trip's sizes.
  const alg = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
  const subtleSign = await crypto.subtle.importKey('pkcs8', merchant.privateKey.export({ type: 'pkcs8', format: 'der' }), alg, false, ['sign']);
  const subtleVerify = await crypto.subtle.importKey('spki', platform.publicKey.export({ type: 'spki', format: 'der' }), alg, false, ['verify']);
  const reqMessage = Buffer.from(`POST\n${PATH}\n1764400000\n${randomBytes(16).toString('hex')}\n${fixedText}\n`);
  const resMessage = Buffer.from(`1764400000\n${randomBytes(16).toString('hex')}\n{"pre_entrustweb_id":"${fixedId}"}\n`);
  const resSig = nodeSign('sha256', resMessage, platform.privateKey);

  const impls = {
    'wechatpay-wasm preEntrustSign': async () => {
      const b = body();
      const res = await ours.preEntrustSign(b);
      return [res.pre_entrustweb_id, ID_PREFIX + b.out_contract_code];
    },
    'wechatpay-wasm fetch: node:http': async () => {
      const b = body();
      const res = await oursHttp.preEntrustSign(b);
      return [res.pre_entrustweb_id, ID_PREFIX + b.out_contract_code];
    },
    'wechatpay-axios-plugin post': async () => {
      const b = body();
      const res = await peer.v3.papay.sign.contracts['pre-entrust-sign'].post(b);
      return [res.data.pre_entrustweb_id, ID_PREFIX + b.out_contract_code];
    },
    'bare fetch (same request)': async () => {
      // The init our client passes (src/wasm/fetch.rs): no redirect followed, a fresh
      // controller's signal; so the own part left for ours is not undici's cost of them.
      const res = await fetch(`${base}${PATH}`, { method: 'POST', headers, body: fixedText, redirect: 'manual', signal: new AbortController().signal });
      return [(await res.json()).pre_entrustweb_id, fixedId];
    },
    'bare node:http (same request)': () => new Promise((resolve, reject) => {
      const req = httpRequest(`${base}${PATH}`, { method: 'POST', headers, agent }, (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve([JSON.parse(Buffer.concat(chunks)).pre_entrustweb_id, fixedId]));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(fixedText);
    }),
    'bare WebCrypto sign': async () => [(await crypto.subtle.sign(alg, subtleSign, reqMessage)).byteLength, 256],
    'bare WebCrypto verify': async () => [await crypto.subtle.verify(alg, subtleVerify, resSig, resMessage), true],
    'bare node:crypto sign': () => [nodeSign('sha256', reqMessage, merchant.privateKey).length, 256],
    'bare node:crypto verify': () => [nodeVerify('sha256', resMessage, platform.publicKey, resSig), true],
  };
  return { impls, close: () => agent.destroy() };
}
