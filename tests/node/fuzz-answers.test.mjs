// WeChat Pay's answers, signed or not, to preEntrustSign and request (a fetch mock). The
// properties checked, the seed and the inputs: fuzz-inputs.mjs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSign, randomBytes } from 'node:crypto';
import { pkg } from './helpers.mjs';
import {
  SEED, ROUNDS, rand, pick, KEY_ID, wechat, options, validBody, value, mutateString, ourError,
  alive, carried,
} from './fuzz-inputs.mjs';

const { Client } = pkg;

test('preEntrustSign: optional fields WeChat Pay writes as null are left out, as the typings say', async () => {
  const c = new Client(options());
  const realFetch = globalThis.fetch;
  const text = '{"pre_entrustweb_id":"5778aadY9nltAsZzXixCkFIGYnV2V","redirect_url":null,"mini_program_username":"gh_1","mini_program_path":null}';
  globalThis.fetch = async () => {
    const ts = String(Math.floor(Date.now() / 1000));
    const nonce = randomBytes(8).toString('hex');
    const signature = createSign('RSA-SHA256').update(`${ts}\n${nonce}\n${text}\n`).sign(wechat.privateKey, 'base64');
    return new Response(text, { status: 200, headers: { 'wechatpay-timestamp': ts, 'wechatpay-nonce': nonce, 'wechatpay-signature': signature, 'wechatpay-serial': KEY_ID } });
  };
  try {
    const res = await c.preEntrustSign(validBody());
    assert.deepEqual(res, { pre_entrustweb_id: '5778aadY9nltAsZzXixCkFIGYnV2V', mini_program_username: 'gh_1' });
    assert.ok(!('redirect_url' in res) && !('mini_program_path' in res));
  } finally {
    globalThis.fetch = realFetch;
  }
});

test(`fuzz: answers of WeChat Pay, signed or not, to preEntrustSign and request (seed ${SEED})`, async () => {
  const c = new Client(options());
  const realFetch = globalThis.fetch;
  const success = JSON.stringify({ pre_entrustweb_id: '5778aadY9nltAsZzXixCkFIGYnV2V', redirect_url: 'https://pay.weixin.qq.com/x?y=1' });
  let answer;
  globalThis.fetch = async () => answer();
  const sign = (ts, nonce, text) => createSign('RSA-SHA256').update(`${ts}\n${nonce}\n${text}\n`).sign(wechat.privateKey, 'base64');
  try {
    for (let i = 0; i < ROUNDS; i++) {
      const status = pick([200, 200, 200, 201, 204, 299, 400, 401, 403, 404, 429, 500, 502, 599]);
      let text = pick([success, success, '{"code":"PARAM_ERROR","message":"bad","detail":{"field":"/plan_id","sign_information":{"sign_message_length":1}}}', '', 'null', '[]', '{}', '{"pre_entrustweb_id":1}']);
      if (rand() < 0.4) text = mutateString(text);
      if (rand() < 0.1) {
        try {
          text = JSON.stringify(value());
        } catch {
          // a hostile value: keep the text
        }
      }
      const bytes = rand() < 0.05 ? new Uint8Array([0xff, 0xfe, 0x7b, 0x7d]) : new TextEncoder().encode(text ?? '');
      // Outside the window by two seconds, not one: the second can turn between making the
      // answer and checking it, which would bring 301 s within the 300 s allowed.
      const skew = pick([0, 0, 0, 299, -299, 302, -302, 1e6]);
      const ts = String(Math.floor(Date.now() / 1000) + skew);
      const nonce = randomBytes(8).toString('hex');
      const headers = { 'request-id': 'R-' + i, 'wechatpay-timestamp': ts, 'wechatpay-nonce': nonce, 'wechatpay-signature': sign(ts, nonce, Buffer.from(bytes).toString()), 'wechatpay-serial': KEY_ID };
      let damaged = false;
      if (rand() < 0.3) {
        const k = pick(['wechatpay-timestamp', 'wechatpay-nonce', 'wechatpay-signature', 'wechatpay-serial']);
        const was = headers[k];
        if (rand() < 0.3) delete headers[k];
        else headers[k] = mutateString(headers[k]);
        // As the answer carries it: Headers trims spaces and tabs around a value, so a
        // mutation there reaches the package undamaged (and verifies, rightly).
        damaged = carried(headers[k]) !== was;
      }
      // What must not pass: a damaged signature header, or a timestamp over 300 s off.
      const unverifiable = damaged || Math.abs(skew) > 300;
      answer = () => new Response(status === 204 ? null : bytes, { status, headers });
      try {
        answer();
      } catch {
        continue; // a header value that no real answer can carry (a line break)
      }
      for (const call of [() => c.preEntrustSign(validBody()), () => c.request('POST', '/v3/papay/sign/contracts/pre-entrust-sign', { json: validBody() })]) {
        let result;
        try {
          result = await call();
        } catch (e) {
          ourError(e, `answer #${i} (${status})`);
          // A non-2xx answer is reported as it is, never masked by a verification error.
          if (status >= 300) assert.equal(e.kind, 'api', `#${i}: HTTP ${status} gave ${e.kind} ${e.code}: ${e.message}`);
          else if (unverifiable) assert.equal(e.kind, 'signature', `#${i}: ${e.code}: ${e.message}`);
          continue;
        }
        assert.ok(status < 300, `#${i}: HTTP ${status} resolved`);
        assert.ok(!unverifiable, `#${i}: an answer with damaged headers or skew ${skew} s resolved`);
        if (result instanceof Response) assert.equal(result.status, status);
        else assert.equal(typeof result.pre_entrustweb_id, 'string', `#${i}`);
      }
      if (i % 50 === 49) await alive(c);
    }
  } finally {
    globalThis.fetch = realFetch;
  }
  await alive(c);
});
