//! The JSON tree the mutations work on, its reader and its writer: it keeps what
//! `serde_json::Value` would lose (duplicate keys, key order, numbers as written) and holds
//! raw fragments (lone surrogate escapes, invalid numbers) that no `Value` can.

use core::fmt::Write as _;

use crate::rng::Rng;

/// A JSON document as written.
#[derive(Debug, Clone, PartialEq)]
pub enum J {
    /// `null`.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// A number, as written.
    Num(String),
    /// A string (decoded).
    Str(String),
    /// An array.
    Arr(Vec<J>),
    /// An object, duplicates and order kept.
    Obj(Vec<(String, J)>),
    /// Text written as is.
    Raw(String),
}

/// Deepest nesting the parser reads (deeper documents are mutated as bytes).
const MAX_DEPTH: usize = 256;

/// Parses JSON text (`None` when it is not JSON this reader understands).
pub fn parse(text: &str) -> Option<J> {
    let mut p = Parser {
        s: text.as_bytes(),
        at: 0,
    };
    let v = p.value(0)?;
    p.ws();
    (p.at == p.s.len()).then_some(v)
}

struct Parser<'a> {
    s: &'a [u8],
    at: usize,
}

impl Parser<'_> {
    fn ws(&mut self) {
        while self.at < self.s.len() && matches!(self.s[self.at], b' ' | b'\t' | b'\n' | b'\r') {
            self.at += 1;
        }
    }

    fn eat(&mut self, b: u8) -> bool {
        self.ws();
        if self.s.get(self.at) == Some(&b) {
            self.at += 1;
            true
        } else {
            false
        }
    }

    fn value(&mut self, depth: usize) -> Option<J> {
        if depth > MAX_DEPTH {
            return None;
        }
        self.ws();
        match *self.s.get(self.at)? {
            b'{' => {
                self.at += 1;
                let mut fields = Vec::new();
                if self.eat(b'}') {
                    return Some(J::Obj(fields));
                }
                loop {
                    self.ws();
                    let key = self.string()?;
                    if !self.eat(b':') {
                        return None;
                    }
                    fields.push((key, self.value(depth + 1)?));
                    if self.eat(b'}') {
                        return Some(J::Obj(fields));
                    }
                    if !self.eat(b',') {
                        return None;
                    }
                }
            }
            b'[' => {
                self.at += 1;
                let mut items = Vec::new();
                if self.eat(b']') {
                    return Some(J::Arr(items));
                }
                loop {
                    items.push(self.value(depth + 1)?);
                    if self.eat(b']') {
                        return Some(J::Arr(items));
                    }
                    if !self.eat(b',') {
                        return None;
                    }
                }
            }
            b'"' => self.string().map(J::Str),
            b't' => self.word("true", J::Bool(true)),
            b'f' => self.word("false", J::Bool(false)),
            b'n' => self.word("null", J::Null),
            _ => {
                let start = self.at;
                while self.at < self.s.len()
                    && matches!(
                        self.s[self.at],
                        b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E'
                    )
                {
                    self.at += 1;
                }
                let num = core::str::from_utf8(&self.s[start..self.at]).ok()?;
                (!num.is_empty()).then(|| J::Num(num.to_owned()))
            }
        }
    }

    fn word(&mut self, w: &str, v: J) -> Option<J> {
        let end = self.at + w.len();
        (self.s.get(self.at..end)? == w.as_bytes()).then(|| {
            self.at = end;
            v
        })
    }

    fn string(&mut self) -> Option<String> {
        if self.s.get(self.at) != Some(&b'"') {
            return None;
        }
        self.at += 1;
        let mut out = Vec::new();
        loop {
            let b = *self.s.get(self.at)?;
            self.at += 1;
            match b {
                b'"' => return String::from_utf8(out).ok(),
                b'\\' => {
                    let e = *self.s.get(self.at)?;
                    self.at += 1;
                    let c = match e {
                        b'n' => '\n',
                        b't' => '\t',
                        b'r' => '\r',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'u' => {
                            let hi = self.hex4()?;
                            if (0xD800..0xDC00).contains(&hi) && self.s.get(self.at) == Some(&b'\\')
                            {
                                self.at += 2;
                                let lo = self.hex4()?;
                                char::from_u32(
                                    0x10000 + ((hi - 0xD800) << 10) + (lo.checked_sub(0xDC00)?),
                                )?
                            } else {
                                char::from_u32(hi)?
                            }
                        }
                        other => char::from(other),
                    };
                    out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
                }
                _ => out.push(b),
            }
        }
    }

    fn hex4(&mut self) -> Option<u32> {
        let h = core::str::from_utf8(self.s.get(self.at..self.at + 4)?).ok()?;
        self.at += 4;
        u32::from_str_radix(h, 16).ok()
    }
}

/// How a tree is written.
#[derive(Debug, Clone, Copy, Default)]
pub struct Style {
    /// Newlines and indentation.
    pub pretty: bool,
    /// Non-ASCII characters as `\uXXXX` escapes (surrogate pairs above U+FFFF).
    pub ascii: bool,
}

impl Style {
    /// Mostly compact, as WeChat Pay and `JSON.stringify` write.
    pub fn random(rng: &mut Rng) -> Self {
        Self {
            pretty: rng.one_in(6),
            ascii: rng.one_in(6),
        }
    }
}

/// Writes `j` as JSON text.
pub fn write(j: &J, style: Style) -> String {
    let mut out = String::new();
    put(j, style, 0, &mut out);
    out
}

fn put(j: &J, style: Style, depth: usize, out: &mut String) {
    let nl = |out: &mut String, d: usize| {
        if style.pretty {
            out.push('\n');
            // Indentation stops growing past 32 levels (deep nesting stays linear in size).
            out.extend(core::iter::repeat_n(' ', 2 * d.min(32)));
        }
    };
    match j {
        J::Null => out.push_str("null"),
        J::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        J::Num(n) | J::Raw(n) => out.push_str(n),
        J::Str(s) => put_str(s, style, out),
        J::Arr(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                nl(out, depth + 1);
                put(item, style, depth + 1, out);
            }
            if !items.is_empty() {
                nl(out, depth);
            }
            out.push(']');
        }
        J::Obj(fields) => {
            out.push('{');
            for (i, (k, v)) in fields.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                nl(out, depth + 1);
                put_str(k, style, out);
                out.push(':');
                if style.pretty {
                    out.push(' ');
                }
                put(v, style, depth + 1, out);
            }
            if !fields.is_empty() {
                nl(out, depth);
            }
            out.push('}');
        }
    }
}

fn put_str(s: &str, style: Style, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if (c as u32) < 0x20 || (style.ascii && !c.is_ascii()) => {
                let mut units = [0u16; 2];
                for u in c.encode_utf16(&mut units) {
                    let _ = write!(out, "\\u{u:04x}");
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}
