#!/usr/bin/env bash
# RUSTC_WRAPPER of the coverage-guided build (`make fuzz`): adds -Cinstrument-coverage to the
# crates whose branches are worth steering by (the crate under test and the parsers it
# relies on) and to the fuzz binary, which links LLVM's profile runtime. Not to the
# fuzzer's own library (its mutators would look like new coverage on every input) nor to the
# arithmetic of rsa, crypto-bigint and the ciphers (counts that follow the numbers, not the
# structure of an input, and slow them down).
rustc=$1
shift
name=
type=
prev=
for arg in "$@"; do
  case $prev in
    --crate-name) name=$arg ;;
    --crate-type) type=$arg ;;
  esac
  prev=$arg
done
case "$name:$type" in
  wechatpay_wasm:*|serde_json:*|der:*|base64ct:*|const_oid:*|fuzz:bin)
    exec "$rustc" "$@" -Cinstrument-coverage ;;
esac
exec "$rustc" "$@"
