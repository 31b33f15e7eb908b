// Differential test of the request rules: the package's validatePreEntrustSign (Rust) against
// the emulator's (emulator/lib/validate.mjs, written from the same spec independently), on
// seeded random bodies made by field-aware mutations of a valid one: lengths around each
// limit (in characters, CJK and emoji included), types, null, enums, patterns, notify URLs,
// missing and unknown fields. They must agree on every body: both accept it, or both refuse
// it and the field the emulator names (its first broken rule) is among ours (we list all).
// FUZZ_SEED=n replays a run; FUZZ_ROUNDS=n runs longer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pkg, seeded } from './helpers.mjs';
import { validatePreEntrustSign as emulatorRules } from '../../emulator/lib/validate.mjs';
import { parseJsonBody } from '../../emulator/lib/http.mjs';

const { validatePreEntrustSign } = pkg;
const SEED = Number(process.env.FUZZ_SEED || 7);
const ROUNDS = Number(process.env.FUZZ_ROUNDS || 3000);

const { rand, int, pick } = seeded(SEED);

const valid = () => ({
  sign_scene: 'SIGN_SCENE_QRCODE', appid: 'wxd678efh567hg6787', openid: 'oYobu0MVnQfWpSMOYJz2AHPG_gQw', plan_id: 12535,
  out_contract_code: 'wxwtdk20200910100000', contract_display_account: '微信代扣用户A',
  contract_notify_url: 'https://yourapp.example/notify', out_user_code: '用户A', return_url: 'https://yourapp.example/return',
  device_info: {
    device_type: 'DEVICE_TYPE_PHONE', device_os: 'iOS 17.4', device_id: 'd1', device_running_as_root: false,
    device_ip: '203.0.113.7', weixin_installed: true, weixin_version: '8.0.47', days_since_first_login: 'DAYS_SINCE_FIRST_LOGIN_WITHIN_30_DAYS',
  },
});

// Character limits of the spec (the emulator's table says the same).
const MAX = { appid: 32, openid: 128, out_contract_code: 32, contract_display_account: 32, contract_notify_url: 256, out_user_code: 64, return_url: 256 };
const URLS = [
  'https://a.example/n', 'https://a.example/n?x=1', 'https://a.example/n?', 'http://a.example/n', 'http://localhost:8080/n',
  'http://LOCALHOST/n', 'http://127.0.0.1/n', 'http://127.1.2.3/n', 'http://[::1]/n', 'http://[::1]:9/n', 'http://[::1',
  'https://', 'https:///x', 'ftp://a.example/', 'HTTPS://A.EXAMPLE/N', 'https://a.example/n#frag', 'https://user:pw@a.example/',
  ' https://a.example/n', 'https://a b.example/', 'https://例子.测试/n', 'http://localhost.evil.example/', 'http://127.0.0.1.nip.io/',
  'http://0x7f.0.0.1/', 'http://2130706433/', 'https://a.example:99999/', 'https:a.example/n', 'https://a.example/%zz', 'https://a.example\\n',
  '//a.example/n', 'https://[::1]/n', 'http://[::2]/n', 'http://127.0.0.256/n', 'http://127.0.0/n',
];

function stringFor(key) {
  const max = MAX[key] ?? 40;
  const at = (n, ch = 'a') => ch.repeat(Math.max(0, n));
  return pick([
    '', ' ', at(max - 1), at(max), at(max + 1), at(max, '微'), at(max + 1, '微'), `${at(max - 1)}😀`, '😀', 'a\u0000b', 'a\nb',
    'abc-def', 'abc_def', 'ABC123', '１２３', 'é'.normalize('NFD'), '\u00e9', at(max - 2, '微') + 'é'.normalize('NFD'),
    '\uD800', 'x\uDFFF', pick(URLS), '12535',
  ]);
}

function mutate(b) {
  const top = Object.keys(b);
  const inDevice = rand() < 0.3 && b.device_info && typeof b.device_info === 'object' && !Array.isArray(b.device_info);
  const target = inDevice ? b.device_info : b;
  const keys = Object.keys(target);
  const key = pick(keys.length ? keys : top);
  switch (int(9)) {
    case 0: delete target[key]; break;
    case 1: target[key] = null; break;
    case 2: target[key] = pick([0, -1, 1, 1.5, 12535, 2 ** 53, 2 ** 53 - 1, 1e21, true, false, '1', [], {}, [1]]); break;
    case 3: case 4: target[key] = key === 'contract_notify_url' || key === 'return_url' ? pick(URLS) : stringFor(key); break;
    case 5: {
      const v = target[key];
      if (typeof v === 'string') target[key] = pick([v.toLowerCase(), `${v} `, ` ${v}`, v.slice(0, -1), `${v}\u200b`]);
      else target[key] = String(v);
      break;
    }
    case 6: target[pick(['plan_Id', 'planid', 'foo', 'appId', 'device-type', 'signScene', 'pre_entrustweb_id'])] = 1; break;
    case 7: target[key] = pick([12535, 1, 2 ** 31, 9007199254740991, 9007199254740992, -0, 0.0, 1e2]); break;
    default: if (!inDevice) b.device_info = pick([[], 'x', 1, {}, valid().device_info]);
  }
  return b;
}

test(`the package and the emulator agree on every body (seed ${SEED}, ${ROUNDS} bodies)`, () => {
  let refused = 0;
  const disagreements = [];
  for (let i = 0; i < ROUNDS; i++) {
    let b = valid();
    for (let n = 1 + int(3); n > 0; n--) b = mutate(b);
    const ours = validatePreEntrustSign(b);
    const theirs = emulatorRules(b);
    const text = JSON.stringify(b);
    if (theirs === null) {
      if (ours.length) disagreements.push(`#${i} emulator accepts, ours: ${JSON.stringify(ours.map((x) => `${x.field} ${x.rule}`))} — ${text}`);
    } else {
      refused++;
      if (!ours.length) disagreements.push(`#${i} ours accepts, emulator: ${theirs.field} ${theirs.rule} (${theirs.issue}) — ${text}`);
      else if (!ours.some((x) => x.field === theirs.field)) {
        disagreements.push(`#${i} emulator ${theirs.field} ${theirs.rule}, ours ${JSON.stringify(ours.map((x) => `${x.field} ${x.rule}`))} — ${text}`);
      }
    }
  }
  assert.deepEqual(disagreements.slice(0, 10), [], `${disagreements.length} disagreements (seed ${SEED})`);
  // The mutations reach both sides of the rules.
  assert.ok(refused > ROUNDS * 0.5 && refused < ROUNDS, `${refused} of ${ROUNDS} refused`);
});

// A body sent as text can write a field twice; JSON.parse (and serde_json) keep the last
// value, while the text is what is signed and sent. Both sides refuse it, on the body: the
// package counting the keys of the text, the emulator's parseJsonBody (what its server reads
// a body with) comparing the decoded keys of each object.
test('the package and the emulator agree on a field written twice', () => {
  const text = JSON.stringify(valid());
  const emulatorOn = (body) => {
    try {
      return emulatorRules(parseJsonBody(Buffer.from(body)));
    } catch (e) {
      return e.detail;
    }
  };
  const twice = [
    text.replace('"plan_id":', '"plan_id":"http://[::1","plan_id":'),
    text.replace('"appid":', '"appid":"wxd678efh567hg6787","appid":'),
    text.replace('"appid":', '"\\u0061ppid":"wxd678efh567hg6787","appid":'),
    text.replace('"device_os":', '"device_os":null,"device_os":'),
    text.replace('"device_ip":', '"device_ip":"203.0.113.7", "device_ip" :'),
  ];
  const once = [
    text,
    // Written twice inside a string; two spellings (refused as unknown, not as twice).
    text.replace('"out_user_code":"', '"out_user_code":"{\\"a\\":1,\\"a\\":2}'),
    text.replace('"appid":', '"appId":"wxd678efh567hg6787","appid":'),
  ];
  for (const body of twice) {
    assert.notEqual(body, text);
    const ours = validatePreEntrustSign(body);
    assert.deepEqual(ours.map((x) => [x.field, x.rule]), [['', 'json']], body);
    const theirs = emulatorOn(body);
    assert.equal(theirs?.field, '', body);
    assert.match(theirs.issue, /written twice/, body);
  }
  for (const body of once) {
    const ours = validatePreEntrustSign(body);
    const theirs = emulatorOn(body);
    assert.ok(!ours.some((x) => /written twice/.test(x.message)), body);
    assert.ok(!/written twice/.test(theirs?.issue ?? ''), body);
    assert.equal(theirs === null, ours.length === 0, body);
    if (theirs) assert.ok(ours.some((x) => x.field === theirs.field), body);
  }
});
