// Running it in production (issue 18 points 2-4): the `signer` option (a node:crypto signer
// stands in for a KMS), the `fetch` option (test doubles that count), and failover to the
// backup host (the emulator as main and backup host, the main taken down; a node:http
// stand-in that never answers for the timeouts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { createSign, randomBytes } from 'node:crypto';
import { pkg, emulator, client, body, rejection, contractCode } from './helpers.mjs';

const { Client, WechatPayError } = pkg;

const emu = await emulator({ backup: true });
test.after(() => emu.close());

const nodeSigner = (pem) => async (message) => createSign('RSA-SHA256').update(message).sign(pem, 'base64');

/** A fetch that records each call (url, method, Authorization, body) and passes it on. */
function recording(inner = globalThis.fetch) {
  const calls = [];
  const fetch = async (input, init) => {
    calls.push({
      url: String(input), method: init.method, redirect: init.redirect,
      auth: new Headers(init.headers).get('authorization'), body: init.body,
    });
    return inner(input, init);
  };
  return { calls, fetch };
}

/** A node:http server that counts requests and answers with `handler` (none: never answers). */
async function server(handler) {
  const s = createServer((req, res) => { s.count += 1; req.resume(); if (handler) handler(req, res); });
  s.count = 0;
  await new Promise((r) => s.listen(0, '127.0.0.1', r));
  s.url = `http://127.0.0.1:${s.address().port}`;
  s.stop = () => { s.closeAllConnections(); return new Promise((r) => s.close(r)); };
  return s;
}

const nonceOf = (auth) => /nonce_str="([^"]+)"/.exec(auth)[1];
const timestampOf = (auth) => /timestamp="([^"]+)"/.exec(auth)[1];

test('signer: the Authorization header is byte-identical to the one made with the key', async () => {
  const { privateKey, ...rest } = emu.credentials;
  const withKey = new Client({ ...rest, privateKey, baseURL: emu.url });
  const withSigner = new Client({ ...rest, signer: nodeSigner(privateKey), baseURL: emu.url });
  for (const [method, url, text] of [
    ['POST', '/v3/papay/sign/contracts/pre-entrust-sign', JSON.stringify(body(emu))],
    ['GET', '/v3/papay/sign/contracts/harmony-plan-id/1/out-contract-code/A1?x=中', ''],
  ]) {
    const opts = { timestamp: 1700000000, nonce: 'N0NCE1234567890ABCDEF' };
    const a = await withKey.authorization(method, url, text, opts);
    const b = await withSigner.authorization(method, url, text, opts);
    assert.equal(b, a);
    assert.match(b, /^WECHATPAY2-SHA256-RSA2048 /);
  }
  // And WeChat Pay (the emulator, node:crypto) accepts what it signs.
  const answer = await withSigner.preEntrustSign(body(emu));
  assert.match(answer.pre_entrustweb_id, /.+/);
});

test('signer: the message is the signing message as UTF-8 bytes', async () => {
  const { privateKey, ...rest } = emu.credentials;
  const seen = [];
  const c = new Client({ ...rest, baseURL: emu.url, signer: async (m) => { seen.push(m); return nodeSigner(privateKey)(m); } });
  await c.authorization('POST', '/v3/x', '{"a":"中"}', { timestamp: 1, nonce: 'n' });
  assert.ok(seen[0] instanceof Uint8Array);
  assert.equal(new TextDecoder().decode(seen[0]), 'POST\n/v3/x\n1\nn\n{"a":"中"}\n');
});

test('signer: a failing or wrong signer is SIGNER_FAILED and nothing is sent', async () => {
  const stub = await server((req, res) => res.end('{}'));
  try {
    const { privateKey, ...rest } = emu.credentials;
    const b64 = (n) => randomBytes(n).toString('base64');
    const cases = [
      [() => { throw new Error('KMS unavailable'); }, /threw or rejected \(KMS unavailable\)/],
      [async () => { throw new TypeError('denied'); }, /threw or rejected \(denied\)/],
      [async () => 42, /a string, not number/],
      [async () => undefined, /a string, not undefined/],
      [async () => 'not base64 at all', /not base64/],
      [async () => b64(256).replace(/=+$/, '').slice(0, 340), /not base64|bytes/],
      [async () => b64(128), /resolved with 128 bytes, not the 256 of an RSA-2048 signature/],
      [() => b64(257), /resolved with 257 bytes/],
    ];
    for (const [signer, says] of cases) {
      const c = new Client({ ...rest, baseURL: stub.url, signer });
      for (const call of [() => c.preEntrustSign(body(emu)), () => c.request('GET', '/v3/x'), () => c.authorization('GET', '/v3/x')]) {
        const e = await rejection(call());
        assert.ok(e instanceof WechatPayError, String(e));
        assert.equal(e.kind, 'config');
        assert.equal(e.code, 'SIGNER_FAILED');
        assert.match(e.message, says);
        assert.match(e.message, /nothing was sent$/);
      }
    }
    assert.equal(stub.count, 0);
    // The secret a broken signer returns is not repeated.
    const leak = new Client({ ...rest, baseURL: stub.url, signer: () => privateKey });
    const e = await rejection(leak.request('GET', '/v3/x'));
    assert.ok(!e.message.includes('PRIVATE KEY'), e.message);
    assert.equal(stub.count, 0);
  } finally {
    await stub.stop();
  }
});

test('signer: a signature of the right form made with another key is refused by WeChat Pay', async () => {
  const { privateKey, ...rest } = emu.credentials;
  const { generateKeyPairSync } = await import('node:crypto');
  const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  const c = new Client({ ...rest, baseURL: emu.url, signer: nodeSigner(other) });
  const e = await rejection(c.preEntrustSign(body(emu)));
  assert.equal(e.kind, 'api');
  assert.equal(e.code, 'SIGN_ERROR');
  assert.equal(e.status, 401);
});

test('options: exactly one of privateKey and signer; fetch a function; failover a boolean; backupBaseURL a URL', () => {
  const { privateKey, ...rest } = emu.credentials;
  const bad = (options, code, says) => {
    assert.throws(() => new Client({ ...rest, ...options }), (e) => {
      assert.ok(e instanceof WechatPayError);
      assert.equal(e.kind, 'config');
      assert.equal(e.code, code);
      assert.match(e.message, says);
      return true;
    });
  };
  bad({ privateKey, signer: async () => '' }, 'BAD_OPTION', /^privateKey, signer: give one of them, not both/);
  bad({}, 'BAD_PRIVATE_KEY', /^privateKey: is required .*or a signer function/);
  bad({ signer: 'arn:aws:kms:...' }, 'BAD_OPTION', /^signer: must be a function .* not string$/);
  bad({ privateKey, fetch: {} }, 'BAD_OPTION', /^fetch: must be a function .* not object$/);
  bad({ privateKey, failover: 'yes' }, 'BAD_OPTION', /^failover: must be true or false$/);
  bad({ privateKey, backupBaseURL: 'ftp://api2' }, 'BAD_BASE_URL', /^backupBaseURL: must be an http\(s\) URL/);
  bad({ privateKey, backupBaseURL: 7 }, 'BAD_BASE_URL', /^backupBaseURL: must be a string, not number$/);
  bad({ privateKey, backupBaseUrl: 'https://x' }, 'BAD_OPTION', /did you mean backupBaseURL\?$/);
  assert.ok(new Client({ ...rest, privateKey, failover: true, fetch: globalThis.fetch }));
});

test('fetch: a custom transport carries every request; the redirect and timeout rules still apply', async () => {
  const { calls, fetch } = recording();
  const c = client(emu, { fetch });
  await c.preEntrustSign(body(emu));
  const r = await rejection(c.request('GET', '/v3/papay/sign/contracts/harmony-plan-id/{plan_id}/out-contract-code/{code}', {
    params: { plan_id: emu.credentials.plan_id, code: contractCode() },
  }));
  assert.equal(r.status, 404);
  assert.equal(calls.length, 2);
  assert.deepEqual(calls.map((x) => [x.method, x.url.startsWith(emu.url), x.redirect]), [['POST', true, 'manual'], ['GET', true, 'manual']]);

  // A redirect is not followed, whoever made the Response.
  let n = 0;
  const redirecting = new Client({ ...emu.credentials, baseURL: emu.url, fetch: async () => { n += 1; return new Response(null, { status: 302, headers: { location: 'https://elsewhere/' } }); } });
  const e = await rejection(redirecting.request('GET', '/v3/x'));
  assert.equal(e.code, 'NETWORK_ERROR');
  assert.equal(e.status, 302);
  assert.equal(n, 1);

  // A transport that never settles still ends at the timeout.
  let hung = 0;
  const hanging = new Client({ ...emu.credentials, baseURL: emu.url, timeout: 50, fetch: () => { hung += 1; return new Promise(() => {}); } });
  const t = await rejection(hanging.request('GET', '/v3/x'));
  assert.equal(t.kind, 'timeout');
  assert.equal(t.timeout, 50);
  assert.equal(hung, 1);

  // Something that is not a Response is a network error that says so.
  const wrong = new Client({ ...emu.credentials, baseURL: emu.url, fetch: async () => 'ok' });
  const w = await rejection(wrong.request('GET', '/v3/x'));
  assert.equal(w.code, 'NETWORK_ERROR');
  assert.match(w.message, /fetch resolved with string, not a Response/);
});

test('fetch: the timeout aborts the signal the transport was given; a call that ends before it leaves it alone', async () => {
  const signals = [];
  const transport = (answer) => (url, init) => { signals.push(init.signal); return answer(url, init); };
  const hanging = new Client({ ...emu.credentials, baseURL: emu.url, timeout: 50, fetch: transport(() => new Promise(() => {})) });
  const t = await rejection(hanging.request('GET', '/v3/x'));
  assert.equal(t.kind, 'timeout');
  assert.equal(signals.length, 1);
  assert.equal(signals[0].aborted, true, 'the timed-out request is cancelled');

  // A transport that fails by itself before the deadline: a network error, nothing aborted.
  const failing = new Client({ ...emu.credentials, baseURL: emu.url, timeout: 10_000, fetch: transport(() => Promise.reject(new TypeError('fetch failed'))) });
  const f = await rejection(failing.request('GET', '/v3/x'));
  assert.equal(f.kind, 'network');
  assert.match(f.message, /fetch failed/);
  assert.equal(signals[1].aborted, false);

  // The call in time clears its timer: none is left behind to keep the process alive.
  const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
  const before = timers();
  const inTime = new Client({ ...emu.credentials, baseURL: emu.url, timeout: 10_000, fetch: transport((url, init) => globalThis.fetch(url, init)) });
  assert.ok((await inTime.preEntrustSign(body(emu))).pre_entrustweb_id);
  assert.equal(signals[2].aborted, false);
  assert.equal(timers(), before, 'no timer left after a call that ended in time');
});

test('fetch: the timeout holds when setTimeout passes no extra arguments (fake timers, instrumentation)', async () => {
  const real = globalThis.setTimeout;
  globalThis.setTimeout = (fn, ms) => real(fn, ms);
  try {
    const signals = [];
    const hanging = new Client({ ...emu.credentials, baseURL: emu.url, timeout: 50, fetch: (url, init) => { signals.push(init.signal); return new Promise(() => {}); } });
    const t = await rejection(hanging.request('GET', '/v3/x'));
    assert.equal(t.kind, 'timeout');
    assert.equal(t.code, 'TIMEOUT');
    assert.equal(signals.length, 1);
    assert.equal(signals[0].aborted, true, 'the timed-out request is cancelled');

    // And a timed-out GET still fails over: main hangs, the backup answers.
    const hosts = [];
    const failing = new Client({
      ...emu.credentials, baseURL: 'http://127.0.0.1:9/', backupBaseURL: emu.backupUrl, failover: true, timeout: 50,
      fetch: (url, init) => {
        hosts.push(url.startsWith(emu.backupUrl) ? 'backup' : 'main');
        return url.startsWith(emu.backupUrl) ? globalThis.fetch(url, init) : new Promise(() => {});
      },
    });
    const g = await rejection(failing.request('GET', `/v3/papay/sign/contracts/harmony-plan-id/${emu.credentials.plan_id}/out-contract-code/${contractCode()}`));
    assert.equal(g.code, 'RESOURCE_NOT_EXISTS', `answered by the backup: ${g.message}`);
    assert.deepEqual(hosts, ['main', 'backup']);
  } finally {
    globalThis.setTimeout = real;
  }
});

test('fetch: a redirect or a non-Response answer is closed: the signal is aborted, the body cancelled', async () => {
  let cancelled = 0;
  const signals = [];
  const redirecting = new Client({
    ...emu.credentials, baseURL: emu.url, fetch: async (url, init) => {
      signals.push(init.signal);
      const stream = new ReadableStream({ pull() {}, cancel() { cancelled += 1; } });
      return new Response(stream, { status: 302, headers: { location: 'https://elsewhere/' } });
    },
  });
  const e = await rejection(redirecting.request('GET', '/v3/x'));
  assert.equal(e.code, 'NETWORK_ERROR');
  assert.equal(e.status, 302);
  assert.equal(signals[0].aborted, true, 'the redirect\'s request is aborted');
  assert.equal(cancelled, 1, 'the redirect\'s body is cancelled');

  // A body whose cancel rejects: the same error, and no unhandled rejection.
  const unhandled = [];
  const onUnhandled = (e) => unhandled.push(e);
  process.on('unhandledRejection', onUnhandled);
  try {
    const refusing = new Client({
      ...emu.credentials, baseURL: emu.url, fetch: async () => new Response(
        new ReadableStream({ pull() {}, cancel() { throw new Error('no cancel'); } }), { status: 302 }),
    });
    assert.equal((await rejection(refusing.request('GET', '/v3/x'))).status, 302);
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(unhandled, []);
  } finally {
    process.off('unhandledRejection', onUnhandled);
  }

  const wrong = new Client({ ...emu.credentials, baseURL: emu.url, fetch: async (url, init) => { signals.push(init.signal); return 'ok'; } });
  const w = await rejection(wrong.request('GET', '/v3/x'));
  assert.match(w.message, /not a Response/);
  assert.equal(signals[1].aborted, true, 'a non-Response answer\'s request is aborted');
});

test('failover: main down -> the same request, signed afresh, reaches the backup', async () => {
  await emu.takeMainDown();
  try {
    const { calls, fetch } = recording();
    const c = client(emu, { fetch, failover: true, backupBaseURL: emu.backupUrl });
    const b = body(emu);
    const answer = await c.preEntrustSign(b);
    assert.match(answer.pre_entrustweb_id, /.+/);
    assert.ok(emu.getContract(b.out_contract_code), 'the backup host processed it');
    assert.equal(calls.length, 2);
    const [first, second] = calls;
    assert.equal(first.url, `${emu.url}/v3/papay/sign/contracts/pre-entrust-sign`);
    assert.equal(second.url, `${emu.backupUrl}/v3/papay/sign/contracts/pre-entrust-sign`);
    assert.equal(second.body, first.body, 'the same body bytes');
    assert.notEqual(nonceOf(second.auth), nonceOf(first.auth), 'a new nonce');
    assert.ok(Number(timestampOf(second.auth)) >= Number(timestampOf(first.auth)));

    // Off by default: one attempt, the network error.
    const off = recording();
    const e = await rejection(client(emu, { fetch: off.fetch, backupBaseURL: emu.backupUrl }).preEntrustSign(body(emu)));
    assert.equal(e.kind, 'network');
    assert.equal(off.calls.length, 1);

    // A transport failure that is not fetch's TypeError does not say the host was not reached.
    let n = 0;
    const odd = client(emu, { failover: true, backupBaseURL: emu.backupUrl, fetch: async () => { n += 1; throw new Error('boom'); } });
    const o = await rejection(odd.preEntrustSign(body(emu)));
    assert.equal(o.kind, 'network');
    assert.equal(n, 1);
  } finally {
    await emu.bringMainUp();
  }
});

test('failover: an answer from the main host, even a 500, is not retried elsewhere', async () => {
  const { calls, fetch } = recording();
  const c = client(emu, { fetch, failover: true, backupBaseURL: emu.backupUrl });
  emu.inject({ kind: 'status500' });
  const e = await rejection(c.preEntrustSign(body(emu)));
  assert.equal(e.kind, 'api');
  assert.equal(e.status, 500);
  assert.equal(calls.length, 1);
  assert.ok(calls[0].url.startsWith(emu.url));
});

test('failover: a timeout goes to the backup for a GET, not for a pre-sign', async () => {
  const silent = await server(null);
  try {
    const { calls, fetch } = recording();
    const c = new Client({ ...emu.credentials, baseURL: silent.url, backupBaseURL: emu.backupUrl, failover: true, timeout: 300, fetch });
    const code = contractCode();
    const e = await rejection(c.request('GET', `/v3/papay/sign/contracts/harmony-plan-id/${emu.credentials.plan_id}/out-contract-code/${code}`));
    assert.equal(e.kind, 'api', e.message);
    assert.equal(e.code, 'RESOURCE_NOT_EXISTS', 'answered by the backup');
    assert.deepEqual(calls.map((x) => x.url.startsWith(silent.url) ? 'main' : x.url.startsWith(emu.backupUrl) ? 'backup' : x.url), ['main', 'backup']);

    calls.length = 0;
    const t = await rejection(c.preEntrustSign(body(emu)));
    assert.equal(t.kind, 'timeout');
    assert.equal(calls.length, 1, 'not sent again: the first may have been processed');
    assert.equal(silent.count, 2);
  } finally {
    await silent.stop();
  }
});

test('failover: when the backup fails too, the error names both attempts', async () => {
  await emu.takeMainDown();
  const silent = await server(null);
  try {
    const c = client(emu, { failover: true, backupBaseURL: silent.url, timeout: 200 });
    const e = await rejection(c.request('GET', '/v3/x'));
    assert.equal(e.kind, 'timeout');
    assert.match(e.message, new RegExp(`^failover failed: ${emu.url}/v3/x \\(baseURL\\): GET ${emu.url}/v3/x: fetch failed: .+; then ${silent.url}/v3/x \\(backupBaseURL\\): GET ${silent.url}/v3/x: no complete answer within 200 ms`));
    const down = client(emu, { failover: true, backupBaseURL: emu.url.replace(/:\d+$/, ':1') });
    const d = await rejection(down.preEntrustSign(body(emu)));
    assert.equal(d.kind, 'network');
    assert.match(d.message, /^failover failed: .*\(baseURL\): .*fetch failed.*; then http:\/\/127\.0\.0\.1:1\/v3\/papay\/sign\/contracts\/pre-entrust-sign \(backupBaseURL\): .*fetch failed/);
  } finally {
    await silent.stop();
    await emu.bringMainUp();
  }
});
