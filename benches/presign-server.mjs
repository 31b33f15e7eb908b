// The answering side of benches/roundtrip.mjs, run in its own process (spawned by it, with an
// IPC channel): a node:http server on 127.0.0.1 that answers POST
// /v3/papay/sign/contracts/pre-entrust-sign as WeChat Pay would, each answer signed afresh
// with node:crypto (Wechatpay-Timestamp, -Nonce, -Serial, -Signature over
// `timestamp\nnonce\nbody\n`). It checks every request's Authorization signature against the
// merchant's public key (RSA verification: some 30 us with node:crypto, cheap beside the
// client's work) and answers 401 when it does not match, so a client that signs wrongly
// cannot look fast. The answer's id is derived from the request's out_contract_code, so the
// client can check that it got the answer to its own request.
//
// Set-up comes by IPC: { merchantPublicKey, platformPrivateKey, platformKeyId, sign:
// 'each' | 'once' } ('once': one signature per distinct body, renewed each minute; the bench
// cycles through a few hundred bodies. The default signs each answer; 'once' only shows how
// much of the round trip the server's own signing takes). It answers
// { port }. On { cpu: true } it answers { cpu: { us, requests } } (its CPU time so far, all
// threads, and the requests answered: the bench reads it before and after a batch of calls,
// for the server's CPU per request under each client). On { stop: true } it answers { stats }
// (requests, failures, its CPU time) and exits; it also exits when the parent goes away.
import { createServer } from 'node:http';
import { createPrivateKey, createPublicKey, randomBytes, sign, verify } from 'node:crypto';

const PATH = '/v3/papay/sign/contracts/pre-entrust-sign';
// The fields of an Authorization header, in any order (the two packages order them differently).
function authFields(h) {
  if (!h || !h.startsWith('WECHATPAY2-SHA256-RSA2048 ')) return null;
  const f = Object.fromEntries([...h.slice(26).matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
  return f.mchid && f.nonce_str && f.timestamp && f.serial_no && f.signature ? f : null;
}

let config;
let merchantKey;
let platformKey;
const stats = { requests: 0, rejected: 0 };
const cpu0 = process.cpuUsage();
const signedOnce = new Map();

function signed(body) {
  const cached = config.sign === 'once' && signedOnce.get(body);
  if (cached && Date.now() / 1000 - cached.ts < 60) return cached;
  const ts = String(Math.floor(Date.now() / 1000));
  const nonce = randomBytes(16).toString('hex');
  const signature = sign('sha256', Buffer.from(`${ts}\n${nonce}\n${body}\n`), platformKey).toString('base64');
  if (config.sign === 'once') signedOnce.set(body, { ts, nonce, signature });
  return { ts, nonce, signature };
}

function answer(res, status, body) {
  const { ts, nonce, signature } = signed(body);
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(body),
    'Request-ID': `08F78BB5AF0610${stats.requests}`,
    'Wechatpay-Timestamp': ts,
    'Wechatpay-Nonce': nonce,
    'Wechatpay-Serial': config.platformKeyId,
    'Wechatpay-Signature': signature,
  });
  res.end(body);
}

function reject(res, status, code, message) {
  stats.rejected += 1;
  answer(res, status, JSON.stringify({ code, message }));
}

function handle(req, res) {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    stats.requests += 1;
    const text = Buffer.concat(chunks).toString('utf8');
    if (req.method !== 'POST' || req.url !== PATH) return reject(res, 404, 'NOT_FOUND', `${req.method} ${req.url}`);
    const a = authFields(req.headers.authorization);
    if (!a) return reject(res, 401, 'SIGN_ERROR', 'no Authorization header of the APIv3 form');
    const message = Buffer.from(`POST\n${PATH}\n${a.timestamp}\n${a.nonce_str}\n${text}\n`);
    if (!verify('sha256', message, merchantKey, Buffer.from(a.signature, 'base64'))) {
      return reject(res, 401, 'SIGN_ERROR', 'the signature does not match');
    }
    let code;
    try {
      code = JSON.parse(text).out_contract_code;
    } catch {
      return reject(res, 400, 'PARAM_ERROR', 'body is not JSON');
    }
    if (typeof code !== 'string') return reject(res, 400, 'PARAM_ERROR', 'out_contract_code');
    return answer(res, 200, JSON.stringify({ pre_entrustweb_id: `5778aadY9nltAsZzRkGCgn${code}` }));
  });
}

const server = createServer({ keepAliveTimeout: 30_000 }, handle);

process.on('message', (msg) => {
  if (msg.cpu) {
    const c = process.cpuUsage(cpu0);
    process.send({ cpu: { us: c.user + c.system, requests: stats.requests } });
    return;
  }
  if (msg.stop) {
    const cpu = process.cpuUsage(cpu0);
    process.send({ stats: { ...stats, cpuMs: (cpu.user + cpu.system) / 1000 } }, () => {
      server.close();
      process.exit(0);
    });
    return;
  }
  config = msg;
  merchantKey = createPublicKey(msg.merchantPublicKey);
  platformKey = createPrivateKey(msg.platformPrivateKey);
  server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
});
// The parent went away (crashed, killed): never outlive it.
process.on('disconnect', () => process.exit(0));
