// The CommonJS declarations (require condition: index.d.cts) give the same types.
import wechatpay = require('wechatpay-wasm');

declare const pem: string;
const client = new wechatpay.Client({ mchid: '1900000001', serial: 'S', privateKey: pem, certs: {} });
const issues: wechatpay.ValidationIssue[] = wechatpay.validatePreEntrustSign({});
async function f(): Promise<wechatpay.PreEntrustSignResponse> {
  try {
    return await client.preEntrustSign({
      sign_scene: 'SIGN_SCENE_APP', appid: 'wx', plan_id: 1, out_contract_code: 'c', contract_display_account: 'a',
      contract_notify_url: 'https://x.example/n', out_user_code: 'u',
      device_info: {
        device_type: 'DEVICE_TYPE_PAD', device_os: '', device_id: '', device_running_as_root: false, device_ip: '',
        weixin_installed: false, weixin_version: '', days_since_first_login: 'DAYS_SINCE_FIRST_LOGIN_UNKNOW',
      },
      // @ts-expect-error: an unknown field
      sign_scenes: 'SIGN_SCENE_APP',
    });
  } catch (e) {
    if (e instanceof wechatpay.WechatPayError && e.kind === 'validation') console.log(e.issues.length);
    throw e;
  }
}
void f;
void issues;
