//! The tree of tag-length-value elements the DER mutations work on, its reader and its
//! writer: BIT STRINGs and OCTET STRINGs that hold DER are opened, and a length can be
//! written in a form DER refuses (padded, wrong, indefinite).

/// How an element's length is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Len {
    /// Shortest form (DER).
    Minimal,
    /// Long form with this many extra leading zero bytes (BER, refused by DER).
    Padded(u8),
    /// The right length plus this (a lie).
    Off(i32),
    /// `0x80` and an end-of-contents marker (BER indefinite form).
    Indefinite,
}

/// One element.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tlv {
    /// A primitive element (or one whose content did not parse as DER).
    Prim {
        /// Tag byte.
        tag: u8,
        /// Length encoding.
        len: Len,
        /// Content.
        body: Vec<u8>,
    },
    /// A constructed element, or a BIT/OCTET STRING holding DER after `prefix`.
    Cons {
        /// Tag byte.
        tag: u8,
        /// Length encoding.
        len: Len,
        /// Bytes before the children (the unused-bits byte of a BIT STRING).
        prefix: Vec<u8>,
        /// The elements inside.
        kids: Vec<Tlv>,
    },
}

/// Reads a sequence of elements filling all of `der`.
pub fn parse(der: &[u8]) -> Option<Vec<Tlv>> {
    let mut out = Vec::new();
    let mut at = 0;
    while at < der.len() {
        let (tlv, used) = parse_one(&der[at..], 0)?;
        out.push(tlv);
        at += used;
    }
    Some(out)
}

fn parse_one(der: &[u8], depth: usize) -> Option<(Tlv, usize)> {
    let tag = *der.first()?;
    if tag & 0x1f == 0x1f || depth > 64 {
        return None;
    }
    let first = *der.get(1)?;
    let (len, head) = match first {
        0..=0x7f => (usize::from(first), 2),
        0x81..=0x84 => {
            let n = usize::from(first & 0x7f);
            let bytes = der.get(2..2 + n)?;
            (
                bytes
                    .iter()
                    .fold(0usize, |acc, b| (acc << 8) | usize::from(*b)),
                2 + n,
            )
        }
        _ => return None,
    };
    let body = der.get(head..head.checked_add(len)?)?;
    let inner = |bytes: &[u8]| -> Option<Vec<Tlv>> {
        let mut kids = Vec::new();
        let mut at = 0;
        while at < bytes.len() {
            let (k, used) = parse_one(&bytes[at..], depth + 1)?;
            kids.push(k);
            at += used;
        }
        Some(kids)
    };
    let cons = |prefix: &[u8], kids: Vec<Tlv>| Tlv::Cons {
        tag,
        len: Len::Minimal,
        prefix: prefix.to_vec(),
        kids,
    };
    let tlv = match tag {
        _ if tag & 0x20 != 0 => match inner(body) {
            Some(kids) => cons(&[], kids),
            None => prim(tag, body.to_vec()),
        },
        0x03 if body.len() > 2 && body[0] == 0 => match inner(&body[1..]) {
            Some(kids) => cons(&[0], kids),
            None => prim(tag, body.to_vec()),
        },
        0x04 if body.len() > 2 && body[0] & 0x20 != 0 => match inner(body) {
            Some(kids) => cons(&[], kids),
            None => prim(tag, body.to_vec()),
        },
        _ => prim(tag, body.to_vec()),
    };
    Some((tlv, head + len))
}

pub(super) fn prim(tag: u8, body: Vec<u8>) -> Tlv {
    Tlv::Prim {
        tag,
        len: Len::Minimal,
        body,
    }
}

/// Writes elements back as bytes.
pub fn write(tlvs: &[Tlv]) -> Vec<u8> {
    let mut out = Vec::new();
    for t in tlvs {
        put(t, &mut out);
    }
    out
}

fn put(t: &Tlv, out: &mut Vec<u8>) {
    let (tag, len, content) = match t {
        Tlv::Prim { tag, len, body } => (*tag, *len, body.clone()),
        Tlv::Cons {
            tag,
            len,
            prefix,
            kids,
        } => {
            let mut c = prefix.clone();
            for k in kids {
                put(k, &mut c);
            }
            (*tag, *len, c)
        }
    };
    out.push(tag);
    let n = content.len();
    match len {
        Len::Minimal => put_len(n, 0, out),
        Len::Padded(extra) => put_len(n, extra.max(1), out),
        Len::Off(d) => put_len((n as i64 + i64::from(d)).max(0) as usize, 0, out),
        Len::Indefinite => out.push(0x80),
    }
    out.extend_from_slice(&content);
    if len == Len::Indefinite {
        out.extend_from_slice(&[0, 0]);
    }
}

fn put_len(n: usize, extra: u8, out: &mut Vec<u8>) {
    if n < 0x80 && extra == 0 {
        out.push(n as u8);
        return;
    }
    let bytes = n.to_be_bytes();
    let skip = bytes
        .iter()
        .take_while(|b| **b == 0)
        .count()
        .min(bytes.len() - 1);
    let digits = &bytes[skip..];
    let count = (digits.len() + usize::from(extra)).min(0x7e);
    out.push(0x80 | count as u8);
    out.extend(core::iter::repeat_n(0, count - digits.len()));
    out.extend_from_slice(digits);
}
