// The WeChat OpenSDK calls with which the merchant's app opens the signing mini-program (the
// app scene: mini_program_username is the mini-program's original id, mini_program_path its
// page with the pre-sign), on iOS, Android and HarmonyOS.

/** iOS: WechatOpenSDK (Objective-C). */
export const iosCode = (u, p) => `// iOS (WechatOpenSDK, Objective-C)
WXLaunchMiniProgramReq *req = [WXLaunchMiniProgramReq object];
req.userName = @"${u}";
req.path = @"${p}";
req.miniProgramType = WXMiniProgramTypeRelease;
[WXApi sendReq:req completion:nil];`;

/** Android: WeChat OpenSDK (Java). */
export const androidCode = (appid, u, p) => `// Android (WeChat OpenSDK, Java)
IWXAPI api = WXAPIFactory.createWXAPI(context, "${appid}");
WXLaunchMiniProgram.Req req = new WXLaunchMiniProgram.Req();
req.userName = "${u}";
req.path = "${p}";
req.miniprogramType = WXLaunchMiniProgram.Req.MINIPTOGRAM_TYPE_RELEASE;
api.sendReq(req);`;

/**
 * HarmonyOS: the WeChat Open SDK for HarmonyOS (ohpm package @tencent/wechat_open_sdk, 1.0.3 or
 * newer: LaunchMiniProgram came in 1.0.3), ArkTS. From WeChat's own page "鸿蒙应用拉起小程序开发示例"
 * https://developers.weixin.qq.com/doc/oplatform/Mobile_App/Launching_a_Mini_Program/OHOS_Development_example.html
 * (new wxopensdk.LaunchMiniProgramReq; userName, path, miniprogramType 0 release / 1 development /
 * 2 trial; `await WXApi.sendReq(context, req)`), the access guide
 * https://developers.weixin.qq.com/doc/oplatform/Mobile_App/Access_Guide/ohos.html
 * (WXAPIFactory.createWXAPI(appId); module.json5 querySchemes "weixin", "wxopensdk") and the SDK's
 * release notes https://developers.weixin.qq.com/doc/oplatform/Downloads/HarmonyOS_Resource.html.
 */
export const harmonyCode = (appid, u, p) => `// HarmonyOS (ArkTS, ohpm @tencent/wechat_open_sdk >= 1.0.3)
// module.json5: "querySchemes": ["weixin", "wxopensdk"]
import * as wxopensdk from '@tencent/wechat_open_sdk';
import { common } from '@kit.AbilityKit';

const WXApi: wxopensdk.WXApi = wxopensdk.WXAPIFactory.createWXAPI("${appid}");
const req = new wxopensdk.LaunchMiniProgramReq();
req.userName = "${u}";
req.path = "${p}";
req.miniprogramType = 0; // 0 release, 1 development, 2 trial
const context = getContext(this) as common.UIAbilityContext;
const sent: boolean = await WXApi.sendReq(context, req);`;
