// MUST NOT compile: each line marked `// wrong: <name>` uses a field name the types do not
// have, and tsc must report exactly those (tests/runtimes/run.mjs, "types", checks that tsc
// fails with an error naming each of them, and no other error).
import { Client, type PreEntrustSignRequest } from 'wechatpay-wasm';

declare const pem: string;
declare const body: PreEntrustSignRequest;

const client = new Client({
  mchid: '1900000001',
  serial: 'F5765756002FDD77',
  privateKey: pem,
  certs: {},
  apiv3key: 'x', // wrong: apiv3key
});

export const request: PreEntrustSignRequest = {
  ...body,
  contract_notify_uri: 'https://yourapp.example/notify', // wrong: contract_notify_uri
};

export async function f(): Promise<string> {
  const res = await client.preEntrustSign(body);
  return res.pre_entrust_web_id; // wrong: pre_entrust_web_id
}
