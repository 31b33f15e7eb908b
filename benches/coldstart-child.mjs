const t0 = performance.now(); // first line: ms since the process began (performance.timeOrigin)
// CPU time of the process (all its threads: V8's compilers and GC, the libuv pool), ms: on a
// loaded machine the wall clock also counts the time the process waited for a core.
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
const c0 = cpu();
// One cold start, timed by the process itself (spawned by benches/coldstart.mjs):
//   node benches/coldstart-child.mjs ours|peer|floor|none KEYDIR [PKG]
// from this first line to the first signed Authorization header: import the package,
// construct the client (the key read from a file, as a merchant's server does), first
// `authorization` (ours: key import into WebCrypto and its check; the peer: its own request
// interceptor, which signs with node:crypto). `floor`: no library, the least WebCrypto
// needs for the same header (node:fs, the PKCS#8 PEM read, `importKey('pkcs8')` as
// "construct", one `sign` and the header written by hand as "1st header"): what any
// WebCrypto-based package pays at least. Prints one JSON line of the phases in ms.
// Nothing is imported statically above the timed imports: node:fs comes in the
// construction, as it would in a merchant's code.
const which = process.argv[2];
const dir = process.argv[3];
// PKG: ours from a path to a package entry (benches/coldstart-ab.mjs) instead of by name.
const pkg = process.argv[4] || 'wechatpay-wasm';
const PATH = '/v3/papay/sign/contracts/pre-entrust-sign';
const BODY = '{"sign_scene":"SIGN_SCENE_QRCODE","appid":"wxd678efh567hg6787","plan_id":12535,"out_contract_code":"CS202611290001"}';
const MCHID = '1900000001';
const SERIAL = 'F5765756002FDD77';
const KEY_ID = 'PUB_KEY_ID_0114232134912410000000000000';

let t1;
let t2;
let c1;
let c2;
let header;
if (which === 'ours') {
  const { Client } = await import(pkg);
  t1 = performance.now();
  c1 = cpu();
  const { readFileSync } = await import('node:fs');
  const client = new Client({
    mchid: MCHID, serial: SERIAL, privateKey: readFileSync(`${dir}/merchant.pem`, 'utf8'),
    certs: { [KEY_ID]: readFileSync(`${dir}/platform.pub.pem`, 'utf8') },
  });
  t2 = performance.now();
  c2 = cpu();
  header = await client.authorization('POST', PATH, BODY);
} else if (which === 'peer') {
  const { Wechatpay, Decorator } = await import('wechatpay-axios-plugin');
  t1 = performance.now();
  c1 = cpu();
  const { readFileSync } = await import('node:fs');
  const wxpay = new Wechatpay({
    mchid: MCHID, serial: SERIAL, privateKey: readFileSync(`${dir}/merchant.pem`, 'utf8'),
    certs: { [KEY_ID]: readFileSync(`${dir}/platform.pub.pem`, 'utf8') },
  });
  t2 = performance.now();
  c2 = cpu();
  // The peer's own signing step (its axios request interceptor), on the instance's config.
  const config = Decorator.requestInterceptor()({ ...wxpay.client.v3.defaults, method: 'post', url: PATH.slice(1), data: JSON.parse(BODY) });
  header = config.headers.get('Authorization');
} else if (which === 'floor') {
  t1 = performance.now(); // no package to import
  c1 = cpu();
  const { readFileSync } = await import('node:fs');
  const pem = readFileSync(`${dir}/merchant.pem`, 'utf8');
  const der = Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
  const key = await crypto.subtle.importKey('pkcs8', der, { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, false, ['sign']);
  t2 = performance.now();
  c2 = cpu();
  const timestamp = Math.floor(Date.now() / 1000);
  const nonce = Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString('hex').toUpperCase();
  const message = `POST\n${PATH}\n${timestamp}\n${nonce}\n${BODY}\n`;
  const sig = await crypto.subtle.sign('RSASSA-PKCS1-v1_5', key, new TextEncoder().encode(message));
  header = `WECHATPAY2-SHA256-RSA2048 mchid="${MCHID}",nonce_str="${nonce}",signature="${Buffer.from(sig).toString('base64')}",timestamp="${timestamp}",serial_no="${SERIAL}"`;
} else {
  t1 = t2 = performance.now(); // 'none': Node's own start, for reference
  c1 = c2 = cpu();
  header = 'WECHATPAY2-SHA256-RSA2048 (none)';
}
const t3 = performance.now();
const c3 = cpu();
if (!/^WECHATPAY2-SHA256-RSA2048 /.test(header)) throw new Error(`bad header ${header}`);
console.log(JSON.stringify({ which, boot: t0, import: t1 - t0, construct: t2 - t1, first: t3 - t2, total: t3 - t0, cpuBoot: c0, cpuImport: c1 - c0, cpuConstruct: c2 - c1, cpuFirst: c3 - c2, cpuTotal: c3 - c0, header }));
