//! DER-aware mutations: the input is read as a tree of tag-length-value elements (BIT
//! STRINGs and OCTET STRINGs that hold DER, as SPKI and PKCS#8 do, are opened too), an
//! element is changed (tag, length encoding, integer, OID, time, children), and the tree is
//! written back with lengths recomputed unless the mutation was of a length.

pub mod tree;

pub use tree::{parse, write, Len, Tlv};

use crate::rng::Rng;
use tree::prim;

fn count(t: &Tlv) -> usize {
    1 + match t {
        Tlv::Cons { kids, .. } => kids.iter().map(count).sum(),
        Tlv::Prim { .. } => 0,
    }
}

fn node_at(t: &mut Tlv, k: usize) -> &mut Tlv {
    if k == 0 {
        return t;
    }
    let mut k = k - 1;
    let sizes: Vec<usize> = match &*t {
        Tlv::Cons { kids, .. } => kids.iter().map(count).collect(),
        Tlv::Prim { .. } => Vec::new(),
    };
    let child = sizes.iter().position(|&n| {
        if k < n {
            true
        } else {
            k -= n;
            false
        }
    });
    match (t, child) {
        (Tlv::Cons { kids, .. }, Some(i)) => node_at(&mut kids[i], k),
        (t, _) => t,
    }
}

const TAGS: &[u8] = &[
    0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x0c, 0x13, 0x17, 0x18, 0x30, 0x31, 0x80, 0x81, 0x83,
    0xa0, 0xa1, 0xa3, 0xa4, 0x1f, 0x3f, 0xff,
];
const OIDS: &[&[u8]] = &[
    &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01], // rsaEncryption
    &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0a], // RSASSA-PSS
    &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b], // sha256WithRSAEncryption
    &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01],             // id-ecPublicKey
    &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01],       // a prefix
    &[],
    &[0x80],
    &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x00],
    &[
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f,
    ],
];
const TIMES: &[&str] = &[
    "261127060020Z",
    "491231235959Z",
    "500101000000Z",
    "000101000000Z",
    "991231235959Z",
    "20521130060020Z",
    "99991231235959Z",
    "00000101000000Z",
    "19700101000000Z",
    "20261127060020.5Z",
    "261127060020",
    "2611270600Z",
    "261327060020Z",
    "260230000000Z",
    "261127246060Z",
    "20261127060020+0800",
    "",
];

fn integer(rng: &mut Rng) -> Vec<u8> {
    match rng.below(12) {
        0 => vec![],
        1 => vec![0],
        2 => vec![0, 0],
        3 => vec![0, 1],
        4 => vec![0x80],
        5 => vec![0xff; rng.range(1, 300)],
        6 => vec![1, 0, 1],
        7 => vec![2],
        // 2048, 2049, 4096 and 16384-bit moduli.
        8 => {
            let bytes = *rng.pick(&[256usize, 257, 512, 2048]);
            let mut v = vec![0; bytes + 1];
            v[1] = 0x80 | rng.byte();
            for b in &mut v[2..] {
                *b = rng.byte();
            }
            v[bytes] |= 1;
            v
        }
        9 => {
            let mut v = vec![0x7f];
            v.extend((0..rng.small_size(600)).map(|_| rng.byte()));
            v
        }
        10 => vec![0xff, 0x80],
        _ => vec![0x00, 0x80],
    }
}

/// One mutation of the element tree `tlvs`.
pub fn mutate(rng: &mut Rng, tlvs: &mut Vec<Tlv>) {
    if tlvs.is_empty() {
        tlvs.push(prim(0x30, vec![]));
    }
    let top = rng.below(tlvs.len());
    let donor = {
        let mut copy = tlvs[top].clone();
        let k = rng.below(count(&copy));
        node_at(&mut copy, k).clone()
    };
    let k = rng.below(count(&tlvs[top]));
    let n = node_at(&mut tlvs[top], k);
    match rng.below(13) {
        0 => match n {
            Tlv::Prim { tag, .. } | Tlv::Cons { tag, .. } => {
                *tag = if rng.one_in(3) {
                    *tag ^ 0x20
                } else {
                    *rng.pick(TAGS)
                }
            }
        },
        1 => {
            let l = match rng.below(4) {
                0 => Len::Padded(rng.range(1, 4) as u8),
                1 => Len::Off(*rng.pick(&[-2, -1, 1, 2, 1000, i32::MAX / 2])),
                2 => Len::Indefinite,
                _ => Len::Off(-(rng.range(1, 100) as i32)),
            };
            match n {
                Tlv::Prim { len, .. } | Tlv::Cons { len, .. } => *len = l,
            }
        }
        2 => match n {
            Tlv::Prim { body, .. } if !body.is_empty() => body.truncate(rng.below(body.len())),
            Tlv::Cons { kids, .. } if !kids.is_empty() => {
                kids.remove(rng.below(kids.len()));
            }
            other => *other = prim(0x05, vec![]),
        },
        3 => match n {
            Tlv::Cons { kids, .. } if !kids.is_empty() => {
                let item = kids[rng.below(kids.len())].clone();
                let at = rng.below(kids.len() + 1);
                kids.insert(at, item);
            }
            other => *other = donor,
        },
        4 => match n {
            Tlv::Cons { kids, .. } if kids.len() > 1 => {
                let (a, b) = (rng.below(kids.len()), rng.below(kids.len()));
                kids.swap(a, b);
            }
            other => *other = prim(0x02, integer(rng)),
        },
        5 => {
            // Nest in a SEQUENCE or a context tag, once or deeply.
            let depth = if rng.one_in(8) { rng.range(10, 200) } else { 1 };
            let mut v = n.clone();
            for _ in 0..depth {
                v = Tlv::Cons {
                    tag: *rng.pick(&[0x30, 0x31, 0xa0, 0xa3]),
                    len: Len::Minimal,
                    prefix: vec![],
                    kids: vec![v],
                };
            }
            *n = v;
        }
        6 => match n {
            Tlv::Prim {
                tag: 0x02, body, ..
            } => *body = integer(rng),
            Tlv::Prim {
                tag: 0x06, body, ..
            } => *body = rng.pick(OIDS).to_vec(),
            Tlv::Prim {
                tag: 0x17 | 0x18,
                body,
                ..
            } => *body = rng.pick(TIMES).as_bytes().to_vec(),
            other => *other = prim(0x02, integer(rng)),
        },
        7 => match n {
            Tlv::Prim { tag, body, .. } => {
                *tag = *rng.pick(&[0x17, 0x18]);
                *body = rng.pick(TIMES).as_bytes().to_vec();
            }
            other => *other = prim(0x06, rng.pick(OIDS).to_vec()),
        },
        8 => match n {
            Tlv::Prim { body, .. } if !body.is_empty() => {
                let at = rng.below(body.len());
                body[at] ^= 1 << rng.below(8);
            }
            Tlv::Cons { prefix, .. } => prefix.push(rng.byte()),
            Tlv::Prim { body, .. } => body.push(rng.byte()),
        },
        9 => match n {
            // Turn an opened string back into bytes, or give it an unused-bits byte.
            Tlv::Cons { tag, prefix, .. } if *tag == 0x03 && !prefix.is_empty() => {
                prefix[0] = rng.range(1, 8) as u8
            }
            other => *other = donor,
        },
        10 => match n {
            Tlv::Cons { kids, .. } => kids.push(donor),
            Tlv::Prim { body, .. } => body.extend(core::iter::repeat_n(0, rng.small_size(4096))),
        },
        11 => *n = prim(0x05, vec![]),
        _ => {
            let trailing = prim(*rng.pick(TAGS), vec![0; rng.below(4)]);
            tlvs.push(trailing);
        }
    }
}

/// Parses `der`, applies one to three mutations and writes it back; `None` when it is not
/// DER this reader understands.
pub fn mutate_der(rng: &mut Rng, der: &[u8]) -> Option<Vec<u8>> {
    let mut tlvs = parse(der)?;
    for _ in 0..rng.range(1, 3) {
        mutate(rng, &mut tlvs);
    }
    let mut out = write(&tlvs);
    out.truncate(super::MAX_INPUT);
    Some(out)
}
