// Random and hostile arguments: bodies to validatePreEntrustSign and preEntrustSign, constructor
// options and PEMs, arguments of authorization, request, chain and notificationReply. The
// properties checked, the seed and the inputs: fuzz-inputs.mjs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pkg } from './helpers.mjs';
import {
  SEED, ROUNDS, rand, int, pick, KEY_ID, privatePem, pkcs1Pem, publicPem, options, setReentry,
  callBack, STRINGS, NUMBERS, value, mutatedBody, mutateString, ourError, settle, alive,
} from './fuzz-inputs.mjs';

const { Client, validatePreEntrustSign, notificationReply } = pkg;

test(`fuzz: validation and preEntrustSign (seed ${SEED}, ${ROUNDS} rounds)`, async () => {
  const c = new Client(options());
  setReentry(c);
  let sent = 0;
  const realFetch = globalThis.fetch;
  globalThis.fetch = async () => { sent++; throw new Error('nothing may be sent'); };
  try {
    for (let i = 0; i < ROUNDS; i++) {
      const b = mutatedBody();
      let issues;
      try {
        issues = validatePreEntrustSign(b);
      } catch (e) {
        ourError(e, `validatePreEntrustSign #${i}`);
      }
      if (issues !== undefined) {
        assert.ok(Array.isArray(issues), `#${i}`);
        for (const is of issues) {
          assert.equal(typeof is.field, 'string');
          assert.ok(is.field === '' || is.field.startsWith('/'), is.field);
          assert.equal(typeof is.rule, 'string');
          assert.ok(is.message.length > 0);
        }
      }
      // Invalid bodies reject as validation errors before anything is sent; valid ones reach
      // fetch (here: a network error).
      await settle(`preEntrustSign #${i}`, () => c.preEntrustSign(b));
      if (issues?.length) assert.equal(sent, 0, `#${i}: a body with issues was sent`);
      sent = 0;
      if (i % 50 === 49) await alive(c);
    }
  } finally {
    globalThis.fetch = realFetch;
    setReentry(null);
  }
  await alive(c);
});

test(`fuzz: constructor options and PEMs (seed ${SEED})`, async () => {
  const pems = [privatePem, pkcs1Pem, publicPem];
  for (let i = 0; i < ROUNDS; i++) {
    const o = options();
    for (let n = 1 + int(2); n > 0; n--) {
      const k = pick(['mchid', 'serial', 'privateKey', 'certs', 'apiv3Key', 'baseURL', 'timeout', 'userAgent', 'now', 'crypto', pick(STRINGS)]);
      if (k === 'privateKey' && rand() < 0.7) o.privateKey = mutateString(pick(pems));
      else if (k === 'certs' && rand() < 0.7) o.certs = { [rand() < 0.8 ? KEY_ID : pick(STRINGS)]: mutateString(pick(pems)) };
      else if (k === 'now' && rand() < 0.5) o.now = pick([() => { throw new Error('clock'); }, () => pick(NUMBERS), () => pick(STRINGS), () => { callBack(); return Date.now(); }]);
      else o[k] = value(1);
    }
    let c;
    try {
      c = new Client(rand() < 0.05 ? value() : o);
    } catch (e) {
      ourError(e, `new Client #${i}`);
      continue;
    }
    // A client that was built must sign, or fail with our error (a damaged key is found on
    // first use).
    await settle(`authorization #${i}`, () => c.authorization('GET', '/v3/x', ''));
  }
  await alive(new Client(options()));
});

test(`fuzz: authorization, request and notificationReply arguments (seed ${SEED})`, async () => {
  const c = new Client(options());
  setReentry(c);
  const realFetch = globalThis.fetch;
  globalThis.fetch = async () => new Response('{"code":"PARAM_ERROR","message":"fuzz"}', { status: 400, headers: { 'content-type': 'application/json', 'request-id': 'R1' } });
  try {
    for (let i = 0; i < ROUNDS; i++) {
      const args = [pick(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'get', 'BREW', '']), pick(['/v3/x', 'https://api.mch.weixin.qq.com/v3/x?a=1', '/v3/x?q=微信']), pick(['', '{"a":1}'])].map((v) => (rand() < 0.3 ? value(1) : rand() < 0.3 ? mutateString(String(v)) : v));
      const opts = rand() < 0.5 ? undefined : { timestamp: rand() < 0.5 ? value(1) : 1624523846, nonce: rand() < 0.5 ? value(1) : 'N1' };
      await settle(`authorization #${i}`, () => c.authorization(...args, opts));
      const reqOpts = rand() < 0.2 ? value() : { json: rand() < 0.5 ? mutatedBody() : value(1), query: rand() < 0.5 ? value(1) : { a: 1 }, headers: rand() < 0.5 ? value(1) : { 'x-a': 'b' }, params: rand() < 0.5 ? value(1) : { plan_id: 1 } };
      await settle(`request #${i}`, () => c.request(args[0], rand() < 0.5 ? args[1] : '/v3/papay/sign/contracts/{plan_id}', reqOpts));
      await settle(`chain #${i}`, () => c.chain(pick(['v3/x', 'v3/{plan_id}', '$x$', '', value(1)])).post(reqOpts));
      try {
        const r = notificationReply(rand() < 0.5 ? value() : new Error(pick(STRINGS)));
        assert.ok([204, 401, 500].includes(r.status), `reply status ${r.status}`);
        assert.equal(typeof r.body, 'string');
      } catch (e) {
        ourError(e, `notificationReply #${i}`);
      }
      if (i % 50 === 49) await alive(c);
    }
  } finally {
    globalThis.fetch = realFetch;
    setReentry(null);
  }
  await alive(c);
});
