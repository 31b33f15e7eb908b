//! Sending a signed request: the one place every request goes through (operations,
//! `request()`, certificate downloads), with the `fetch` option and failover to
//! `backupBaseURL`, which the core decides ([`crate::failover`]); this file only executes.

use js_sys::Function;
use web_sys::Headers;

use super::client::Inner;
use super::errors::JsErr;
use super::fetch::{self, Answer, Failed};
use super::random::random_nonce;
use crate::api;
use crate::failover;
use crate::sign;

/// The production options of the transport.
pub(super) struct Transport {
    /// The `fetch` option; `None`: the global `fetch`.
    pub(super) fetch: Option<Function>,
    /// `failover: true`.
    pub(super) failover: bool,
    /// `backupBaseURL`, checked by [`crate::config::backup_base_url`].
    pub(super) backup_base_url: String,
}

impl Inner {
    /// Signs `url` (from [`Inner::sent_url`]) and sends it, to `backupBaseURL` too when the
    /// core says so; any answer (any HTTP status) is returned for the caller to read.
    pub(super) async fn deliver(
        &self,
        method: &str,
        url: &web_sys::Url,
        body: Option<&str>,
        extra: Option<&Headers>,
    ) -> Result<Answer, JsErr> {
        let main = url.href();
        let Failed(failure, err) = match self.attempt(method, &main, body, extra).await {
            Ok(answer) => return Ok(answer),
            Err(failed) => failed,
        };
        let safe = failover::safe_to_repeat(method, self.operation_at(method, url));
        let backup = match self.backup_url(url) {
            Some(b) if failover::send_to_backup(self.transport.failover, failure, safe) => b,
            _ => return Err(err),
        };
        // Signed afresh (new nonce and timestamp), the same body bytes.
        self.attempt(method, &backup, body, extra)
            .await
            .map_err(|Failed(_, second)| {
                let message =
                    failover::both_failed(&main, err.message(), &backup, second.message());
                second.with_message(message)
            })
    }

    /// `url` moved from `baseURL` to `backupBaseURL` (the path and query below the base).
    fn backup_url(&self, url: &web_sys::Url) -> Option<String> {
        let base = self.sent_url("").ok()?.href();
        let href = url.href();
        let below = href.strip_prefix(crate::text::trim_end(&base, b'/'))?;
        let backup = format!("{}{below}", self.transport.backup_base_url);
        web_sys::Url::new(&backup).ok().map(|u| u.href())
    }

    /// One signed attempt at `url`: a new nonce and timestamp, the headers, the transport.
    async fn attempt(
        &self,
        method: &str,
        url: &str,
        body: Option<&str>,
        extra: Option<&Headers>,
    ) -> Result<Answer, Failed> {
        let nonce = random_nonce()?;
        let timestamp = self.now_secs()?;
        let message =
            sign::checked_request_message(method, url, timestamp, &nonce, body.unwrap_or(""))
                .map_err(JsErr::from)?;
        let auth = self.authorization(&message, timestamp, &nonce).await?;
        // The caller's extra headers first: the client's own are set after and win.
        let headers = match extra {
            Some(h) => Headers::new_with_headers(h),
            None => Headers::new(),
        }
        .map_err(|_| JsErr::network("Headers is not available in this runtime"))?;
        // The store may grow during a certificate download: its preferred id is copied out.
        let preferred = self.keys.borrow().preferred_id().map(str::to_owned);
        let own = api::request_headers(
            &self.user_agent,
            body.is_some(),
            preferred.as_deref(),
            &auth,
        );
        for (k, v) in own {
            headers
                .set(k, v)
                .map_err(|_| JsErr::network(format!("cannot set header {k}")))?;
        }
        fetch::send(
            self.transport.fetch.as_ref(),
            method,
            url,
            &headers,
            body,
            self.timeout_ms,
        )
        .await
    }
}
