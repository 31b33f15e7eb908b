//! The `signer` option, called: the message as UTF-8 bytes in, what the promise settles
//! with handed to the core's check ([`crate::external_signer`]).

use js_sys::{Function, Uint8Array};
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;

use super::client::Inner;
use super::errors::{message_of, JsErr};
use super::options::{js_type, promise_of};
use crate::external_signer::{self, Output};

impl Inner {
    /// The raw signature of `message` by the `signer` option.
    pub(super) async fn external_sign(
        &self,
        signer: &Function,
        message: &[u8],
    ) -> Result<Vec<u8>, JsErr> {
        let bytes = Uint8Array::from(message);
        let settled = match promise_of(signer.call1(&JsValue::UNDEFINED, &bytes)) {
            Ok(p) => JsFuture::from(p).await,
            Err(e) => Err(e),
        };
        let checked = match settled {
            Ok(v) => match v.as_string() {
                Some(text) => external_signer::signature(Output::Text(&text)),
                None => external_signer::signature(Output::NotText(&js_type(&v))),
            },
            Err(e) => {
                let why = message_of(&e).unwrap_or_else(|| js_type(&e));
                external_signer::signature(Output::Threw(&why))
            }
        };
        checked.map_err(JsErr::from)
    }
}
