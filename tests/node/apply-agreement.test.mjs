// Differential test of the deduction body's rules (harmony-deduction.md section 2): the
// package's validateApplyDeduction (Rust) against the emulator's validateApplyDeduction
// (emulator/lib/validate.mjs, written from the same spec independently), on seeded random
// bodies made by field-aware mutations of a valid one, as validate-agreement.test.mjs does for
// the pre-sign. They must agree on every body: both accept it, or both refuse it and every
// field the emulator names is among ours. FUZZ_SEED=n replays a run; FUZZ_ROUNDS=n runs longer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pkg, seeded } from './helpers.mjs';
import { validateApplyDeduction as emulatorRules } from '../../emulator/lib/validate.mjs';

const { validateApplyDeduction } = pkg;
const SEED = Number(process.env.FUZZ_SEED || 16);
const ROUNDS = Number(process.env.FUZZ_ROUNDS || 3000);
const { rand, int, pick } = seeded(SEED);

const valid = () => ({
  appid: 'wxd678efh567hg6787', out_trade_no: 'T_2026-11*29', description: '会员月费', transaction_notify_url: 'https://yourapp.example/pay/notify',
  contract_id: '202011065409471222', amount: { total: 100, currency: 'CNY' }, goods_tag: 'WXG', attach: 'a', harmony_account_id: 'ha-01', mcc: '5812',
});

const MAX = { appid: 32, out_trade_no: 32, description: 127, transaction_notify_url: 256, contract_id: 32, goods_tag: 32, attach: 128, harmony_account_id: 64, mcc: 4 };
const URLS = [
  'https://a.example/n', 'https://a.example/n?x=1', 'http://a.example/n', 'http://localhost:8080/n', 'http://127.0.0.1/n', 'http://[::1]/n',
  'https://', 'ftp://a.example/', 'HTTPS://A.EXAMPLE/N', 'https://a.example/n#frag', 'https://user:pw@a.example/', ' https://a.example/n',
  'http://localhost.evil.example/', 'http://0x7f.0.0.1/', 'https://a.example:99999/', `https://a.example/${'p'.repeat(240)}`,
];

function stringFor(key) {
  const max = MAX[key] ?? 40;
  const at = (n, ch = 'a') => ch.repeat(Math.max(0, n));
  return pick([
    '', ' ', at(max - 1), at(max), at(max + 1), at(max, '微'), at(max + 1, '微'), `${at(max - 1)}😀`, '😀', 'a\u0000b',
    'abc-def', 'abc_def', 'a*b', 'a.b', 'a/b', '..', 'ABC123', '１２３', '\uD800', pick(URLS), '100',
  ]);
}

function mutate(b) {
  const inAmount = rand() < 0.3 && b.amount && typeof b.amount === 'object' && !Array.isArray(b.amount);
  const target = inAmount ? b.amount : b;
  const keys = Object.keys(target);
  const key = pick(keys.length ? keys : Object.keys(b));
  switch (int(9)) {
    case 0: delete target[key]; break;
    case 1: target[key] = null; break;
    case 2: target[key] = pick([0, -1, 1, 1.5, 100, 2 ** 53, 2 ** 53 - 1, 1e21, true, '1', [], {}]); break;
    case 3: case 4: target[key] = key === 'transaction_notify_url' ? pick(URLS) : stringFor(key); break;
    case 5: {
      const v = target[key];
      target[key] = typeof v === 'string' ? pick([v.toLowerCase(), `${v} `, v.slice(0, -1), 'cny', 'USD']) : String(v);
      break;
    }
    case 6: target[pick(['outTradeNo', 'total_fee', 'foo', 'appId', 'payer'])] = 1; break;
    case 7: if (inAmount) target.total = pick([1, 100, 0, -5, 0.5, 99.99, 2 ** 53, 9007199254740991, '100', 1e2]); else target[key] = 1; break;
    default: if (!inAmount) b.amount = pick([[], 'x', 100, {}, { total: 1 }, { currency: 'CNY' }, valid().amount]);
  }
  return b;
}

test(`the package and the emulator agree on every deduction body (seed ${SEED}, ${ROUNDS} bodies)`, () => {
  let refused = 0;
  const disagreements = [];
  for (let i = 0; i < ROUNDS; i++) {
    let b = valid();
    for (let n = 1 + int(3); n > 0; n--) b = mutate(b);
    const ours = validateApplyDeduction(b);
    const theirs = emulatorRules(b);
    const text = JSON.stringify(b);
    const oursText = JSON.stringify(ours.map((x) => `${x.field} ${x.rule}`));
    if (theirs.length === 0) {
      if (ours.length) disagreements.push(`#${i} emulator accepts, ours: ${oursText} — ${text}`);
    } else {
      refused++;
      const missing = theirs.filter((t) => !ours.some((x) => x.field === t.field));
      if (!ours.length || missing.length) {
        disagreements.push(`#${i} emulator ${JSON.stringify(theirs.map((t) => `${t.field} ${t.rule}`))}, ours ${oursText} — ${text}`);
      }
    }
  }
  assert.deepEqual(disagreements.slice(0, 10), [], `${disagreements.length} disagreements (seed ${SEED})`);
  assert.ok(refused > ROUNDS * 0.5 && refused < ROUNDS, `${refused} of ${ROUNDS} refused`);
});
