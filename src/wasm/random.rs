//! Nonces from the runtime's CSPRNG.

use std::cell::RefCell;

use super::errors::JsErr;
use crate::error::code;
use crate::sign;

/// Random bytes drawn from the runtime's CSPRNG (`crypto.getRandomValues` through
/// `getrandom`) a few KiB at a time: one call per 32 nonces instead of one per request (the
/// call itself costs more than the bytes in Node).
struct RandomPool {
    buf: Vec<u8>,
    at: usize,
}

const RANDOM_POOL_BYTES: usize = 1536;

thread_local! {
    static RANDOM: RefCell<RandomPool> = const { RefCell::new(RandomPool { buf: Vec::new(), at: 0 }) };
}

fn random_bytes(out: &mut [u8]) -> Result<(), JsErr> {
    // Not borrowed while `getrandom` runs: `crypto.getRandomValues` is JS, which a page or a
    // test may replace with code that calls back into the package (a second borrow would
    // panic, and a panic kills the instance).
    let used_up = RANDOM.with(|pool| {
        let pool = pool.borrow();
        pool.at + out.len() > pool.buf.len()
    });
    if used_up {
        let mut fresh = vec![0u8; RANDOM_POOL_BYTES.max(out.len())];
        getrandom::fill(&mut fresh).map_err(|e| {
            JsErr::config(
                code::BAD_OPTION,
                format!("no secure random source in this runtime ({e})"),
            )
        })?;
        RANDOM.with(|pool| *pool.borrow_mut() = RandomPool { buf: fresh, at: 0 });
    }
    // No JS runs between the refill and here: the pool holds enough.
    RANDOM.with(|pool| {
        let mut pool = pool.borrow_mut();
        let at = pool.at;
        let bytes = pool
            .buf
            .get_mut(at..at + out.len())
            .ok_or_else(|| JsErr::config(code::BAD_OPTION, "the random pool ran short"))?;
        out.copy_from_slice(bytes);
        // Used bytes are wiped as they are handed out.
        bytes.fill(0);
        pool.at += out.len();
        Ok(())
    })
}

pub(super) fn random_nonce() -> Result<String, JsErr> {
    // 48 uniform bytes fall short of 32 accepted ones with a chance below 10^-12; eight
    // shortfalls in a row mean a source that is not random (a replaced
    // `crypto.getRandomValues` that gives only high bytes), and a loop would never end.
    for _ in 0..8 {
        let mut buf = [0u8; 48];
        random_bytes(&mut buf)?;
        if let Some(n) = sign::nonce_from_bytes(&buf) {
            return Ok(n);
        }
    }
    // The pool holds more of those bytes: dropped, so that the next call draws afresh.
    RANDOM.with(|pool| {
        let mut pool = pool.borrow_mut();
        pool.buf.fill(0);
        pool.at = pool.buf.len();
    });
    Err(JsErr::config(
        code::BAD_OPTION,
        "crypto.getRandomValues gives bytes that are not random: no nonce could be drawn",
    ))
}
