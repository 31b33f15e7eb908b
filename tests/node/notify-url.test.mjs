// contract_notify_url: plain http passes only when the host is loopback as the URL standard
// reads the URL (issue 17: "http://evil.example\@127.0.0.1/notify" passed, although `\` is `/`
// in http(s) URLs and its host is evil.example). The package's verdicts (Rust) are checked
// against Node's `new URL()` (the WHATWG parser, independent of ours) and against the
// emulator's rules (emulator/lib/validate.mjs), over the table of tests/validation_notify_url.rs and more.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pkg } from './helpers.mjs';
import { validatePreEntrustSign as emulatorRules } from '../../emulator/lib/validate.mjs';

const { validatePreEntrustSign } = pkg;

const URLS = [
  'http://evil.example\\@127.0.0.1/notify', 'http://evil.example\\@127.0.0.1', 'http://127.0.0.1\\@evil.example/',
  'http://evil.example\\\\@localhost/n', 'http://user:pw@127.0.0.1/n', 'http://127.0.0.1@evil.example/n',
  'http://127.0.0.1:80@evil.example/n', 'http://a@b@127.0.0.1/n', 'http://localhost@evil.example:8080/n',
  'http://evil.example@[::1]:8080/n', 'http://[::1]@evil.example/n', 'http://LOCALHOST:3000\\n',
  'http://127.0.0.1:8080/a\\@evil.example', 'http://\\evil.example/n', 'http:///127.0.0.1/n', 'http://127.1/n',
  'http://127.0.0.010/n', 'http://0127.0.0.1/n', 'http://127.0.0.%31/n', 'http://2130706433/n',
  'https://evil.example\\@127.0.0.1/n', 'http://[0:0:0:0:0:0:0:1]/n', 'http://[::ffff:127.0.0.1]/n',
  'http://localhost./n', 'http://127.0.0.1.evil.example/n', 'http://evil.example%5C@127.0.0.1/n',
  'http://evil.example%40127.0.0.1/n', 'http://localhost:8080/n', 'http://127.0.0.1/n', 'http://127.255.0.9:1/n',
  'http://[::1]/n', 'http://[::1]:9/n', 'http://evil.example/n', 'http://evil.example:80\\@[::1]/n',
  // A sign in a part: `parse::<u8>` takes "+1", the URL standard reads 127.0.0.+1 as a domain name.
  'http://127.0.0.+1/n', 'http://127.+0.0.1/n', 'http://127.0.-0.1/n',
];

const body = (url) => ({
  sign_scene: 'SIGN_SCENE_QRCODE', appid: 'wxd678efh567hg6787', openid: 'oYobu0MVnQfWpSMOYJz2AHPG_gQw', plan_id: 12535,
  out_contract_code: 'wxwtdk20200910100000', contract_display_account: '微信代扣用户A',
  contract_notify_url: url, out_user_code: '用户A', return_url: 'https://yourapp.example/return',
  device_info: {
    device_type: 'DEVICE_TYPE_PHONE', device_os: 'iOS 17.4', device_id: 'd1', device_running_as_root: false,
    device_ip: '203.0.113.7', weixin_installed: true, weixin_version: '8.0.47', days_since_first_login: 'DAYS_SINCE_FIRST_LOGIN_WITHIN_30_DAYS',
  },
});

const ours = (url) => validatePreEntrustSign(body(url)).every((i) => i.field !== '/contract_notify_url');
const emulators = (url) => emulatorRules(body(url)) === null;
// Loopback as the URL standard serialises the host.
const whatwgLoopback = (u) => u.hostname === 'localhost' || u.hostname === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(u.hostname);
// The host as written between "//" and the first "/" or "\" (after the last "@"), port cut.
const written = (url) => url.slice(url.indexOf('//') + 2).split(/[/\\]/)[0].replace(/^.*@/, '').replace(/:\d*$/, '').toLowerCase();

test('plain http passes only to a loopback host as new URL() reads it; the emulator agrees', () => {
  for (const url of URLS) {
    let u = null;
    try { u = new URL(url); } catch { /* not a URL */ }
    const accepted = ours(url);
    if (accepted) {
      assert.ok(u, `${url}: accepted, but new URL() refuses it`);
      if (u.protocol === 'http:') assert.ok(whatwgLoopback(u), `${url}: accepted as loopback, but new URL() gives host ${u.hostname}`);
      else assert.equal(u.protocol, 'https:', url);
    }
    // A loopback host written as the standard serialises it is accepted (other spellings
    // of it, such as 127.1 or 2130706433, are refused: not what the sender would get).
    if (u && u.protocol === 'http:' && whatwgLoopback(u) && written(url) === u.hostname) {
      assert.ok(accepted, `${url}: host ${u.hostname} is loopback as written, but refused`);
    }
    assert.equal(emulators(url), accepted, `${url}: the emulator says ${emulators(url) ? 'accepted' : 'refused'}, the package the opposite`);
  }
});

test('the case of the issue: the host of http://evil.example\\@127.0.0.1/notify is evil.example', () => {
  const url = 'http://evil.example\\@127.0.0.1/notify';
  assert.equal(new URL(url).hostname, 'evil.example');
  const issues = validatePreEntrustSign(body(url));
  assert.deepEqual(issues.map((i) => [i.field, i.rule]), [['/contract_notify_url', 'url']]);
  assert.match(issues[0].message, /must use https:\/\//);
});
