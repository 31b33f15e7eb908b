//! Failover to the backup host (`failover: true`, `backupBaseURL`), decided here: the wasm
//! layer reports how the attempt at `baseURL` failed and sends the second one when told to.
//!
//! The rules (`shared/spec/api.md`, "Running it in production"): only a request that could
//! not reach the main host (connection refused or reset, DNS, TLS: `fetch` rejected before
//! any answer) is sent once more, signed afresh, to the backup; an answer from WeChat Pay,
//! even an error (any HTTP status), is never retried elsewhere; a timeout is retried there
//! only for a request that is safe to repeat ([`safe_to_repeat`]).

use crate::api::Operation;

/// How an attempt failed, as far as failover cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// The host was not reached: `fetch` rejected with a `TypeError` (what the standard
    /// `fetch` throws for a refused or reset connection, DNS and TLS failures) before any
    /// answer. The request was not processed.
    Unreachable,
    /// No complete answer within the timeout: the request may or may not have been processed.
    Timeout,
    /// Anything else: an answer came (any status, a redirect, a body that broke off), or the
    /// transport failed in a way that does not tell whether the request left.
    Other,
}

/// Whether a request may be sent twice without a second effect: a `GET`, or an operation
/// whose description says WeChat Pay deduplicates it by a merchant number
/// ([`Operation::idempotent`]). `op` is the operation the request reaches, if any.
pub fn safe_to_repeat(method: &str, op: Option<&Operation>) -> bool {
    method.eq_ignore_ascii_case("GET") || op.is_some_and(|op| op.idempotent)
}

/// Whether the request that failed at the main host this way goes to the backup.
pub fn send_to_backup(enabled: bool, failure: Failure, safe_to_repeat: bool) -> bool {
    enabled
        && match failure {
            Failure::Unreachable => true,
            Failure::Timeout => safe_to_repeat,
            Failure::Other => false,
        }
}

/// The message of a failover whose second attempt failed too: both hosts, both failures.
pub fn both_failed(main_url: &str, main: &str, backup_url: &str, backup: &str) -> String {
    // Concatenated: no formatting machinery for a message of four strings.
    let mut out = String::from("failover failed: ");
    for part in [
        main_url,
        " (baseURL): ",
        main,
        "; then ",
        backup_url,
        " (backupBaseURL): ",
        backup,
    ] {
        out.push_str(part);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{self, OPERATIONS};

    #[test]
    fn only_unreachable_or_a_repeatable_timeout_goes_to_the_backup() {
        use Failure::*;
        // (enabled, failure, safe to repeat) -> sent to the backup
        let table = [
            (true, Unreachable, false, true),
            (true, Unreachable, true, true),
            (true, Timeout, true, true),
            (true, Timeout, false, false),
            (true, Other, true, false),
            (true, Other, false, false),
            (false, Unreachable, true, false),
            (false, Timeout, true, false),
        ];
        for (enabled, failure, safe, expected) in table {
            assert_eq!(
                send_to_backup(enabled, failure, safe),
                expected,
                "{enabled} {failure:?} {safe}"
            );
        }
    }

    #[test]
    fn gets_and_deduplicated_operations_are_safe_to_repeat() {
        assert!(safe_to_repeat("GET", None));
        assert!(safe_to_repeat("get", None));
        assert!(!safe_to_repeat("POST", None));
        assert!(!safe_to_repeat("DELETE", None));
        // A second pre-sign with the same out_contract_code is refused ("already used"), not
        // deduplicated: not safe to repeat after a timeout.
        assert!(!safe_to_repeat("POST", Some(&api::PRE_ENTRUST_SIGN)));
        let keyed = Operation {
            idempotent: true,
            ..api::PRE_ENTRUST_SIGN
        };
        assert!(safe_to_repeat("POST", Some(&keyed)));
        // Every GET operation is safe whatever its description says.
        for op in OPERATIONS.iter().filter(|op| op.method == "GET") {
            assert!(safe_to_repeat(op.method, Some(op)), "{}", op.name);
        }
    }

    #[test]
    fn a_failed_failover_names_both_attempts() {
        let m = both_failed(
            "https://api.mch.weixin.qq.com/v3/x",
            "connection refused",
            "https://api2.mch.weixin.qq.com/v3/x",
            "no answer within 10 ms",
        );
        assert_eq!(
            m,
            "failover failed: https://api.mch.weixin.qq.com/v3/x (baseURL): connection refused; \
             then https://api2.mch.weixin.qq.com/v3/x (backupBaseURL): no answer within 10 ms"
        );
    }
}
