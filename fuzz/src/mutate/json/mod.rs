//! JSON-aware mutations of a [`J`] tree (see [`tree`]): types, lengths, characters,
//! numbers, keys, nesting and size.

pub mod tree;
mod values;

pub use tree::{parse, write, Style, J};

use crate::rng::Rng;
use values::{mutate_string, near_miss, random_string, random_value, BAD_RAW, NUMBERS};

/// About how many bytes `j` is written as (to keep mutations under [`super::MAX_INPUT`]).
fn approx_len(j: &J) -> usize {
    match j {
        J::Null | J::Bool(_) => 5,
        J::Num(s) | J::Raw(s) | J::Str(s) => s.len() + 2,
        J::Arr(items) => 2 + items.iter().map(|i| approx_len(i) + 1).sum::<usize>(),
        J::Obj(fields) => {
            2 + fields
                .iter()
                .map(|(k, v)| k.len() + 4 + approx_len(v))
                .sum::<usize>()
        }
    }
}

/// A count of copies: 2 to 9 mostly, up to `max` one time in 32 (large inputs check
/// proportionality; a few suffice, and they cost the most).
fn big(rng: &mut Rng, max: usize) -> usize {
    if rng.one_in(32) {
        rng.range(10, max)
    } else {
        rng.range(2, 9)
    }
}

/// Nesting depth of `j`.
fn depth(j: &J) -> usize {
    1 + match j {
        J::Arr(items) => items.iter().map(depth).max().unwrap_or(0),
        J::Obj(fields) => fields.iter().map(|(_, v)| depth(v)).max().unwrap_or(0),
        _ => 0,
    }
}

/// Deepest nesting a mutation makes (serde_json stops at 128; this is far past it and far
/// from this process's stack limit).
const MAX_NEST: usize = 2000;

fn count(j: &J) -> usize {
    1 + match j {
        J::Arr(items) => items.iter().map(count).sum(),
        J::Obj(fields) => fields.iter().map(|(_, v)| count(v)).sum(),
        _ => 0,
    }
}

/// The child indices leading to the `k`-th node in preorder (one walk, counting down).
fn find(j: &J, k: &mut usize, path: &mut Vec<usize>) -> bool {
    if *k == 0 {
        return true;
    }
    *k -= 1;
    let mut visit = |i: usize, kid: &J, k: &mut usize| {
        path.push(i);
        let found = find(kid, k, path);
        if !found {
            path.pop();
        }
        found
    };
    match j {
        J::Arr(items) => items.iter().enumerate().any(|(i, kid)| visit(i, kid, k)),
        J::Obj(fields) => fields
            .iter()
            .enumerate()
            .any(|(i, (_, kid))| visit(i, kid, k)),
        _ => false,
    }
}

fn path_to(rng: &mut Rng, root: &J) -> Vec<usize> {
    let mut k = rng.below(count(root));
    let mut path = Vec::new();
    find(root, &mut k, &mut path);
    path
}

fn at_path<'a>(j: &'a mut J, path: &[usize]) -> &'a mut J {
    path.iter().fold(j, |j, &i| match j {
        J::Arr(items) => &mut items[i],
        J::Obj(fields) => &mut fields[i].1,
        other => other,
    })
}

fn node<'a>(rng: &mut Rng, root: &'a mut J) -> &'a mut J {
    let path = path_to(rng, root);
    at_path(root, &path)
}

/// A copy of a random node of `root`.
fn random_node(rng: &mut Rng, root: &J) -> J {
    let path = path_to(rng, root);
    path.iter()
        .fold(root, |j, &i| match j {
            J::Arr(items) => &items[i],
            J::Obj(fields) => &fields[i].1,
            other => other,
        })
        .clone()
}

/// One structure-aware mutation of `root`; `dict` holds strings worth trying (enum values,
/// URLs, field names).
pub fn mutate(rng: &mut Rng, root: &mut J, dict: &[&str]) {
    let room = super::MAX_INPUT.saturating_sub(approx_len(root));
    let deep = depth(root);
    let donor = random_node(rng, root);
    let n = node(rng, root);
    match rng.below(12) {
        0 | 1 => *n = random_value(rng, dict),
        2 if approx_len(&donor) < room => *n = donor,
        3 => match n {
            J::Str(s) => mutate_string(rng, s, dict),
            other => *other = J::Str(random_string(rng)),
        },
        4 => match n {
            J::Obj(fields) if !fields.is_empty() => {
                let at = rng.below(fields.len());
                fields.remove(at);
            }
            J::Arr(items) if !items.is_empty() => {
                let at = rng.below(items.len());
                items.remove(at);
            }
            other => *other = J::Null,
        },
        5 => match n {
            // A duplicate key, with its value or another.
            J::Obj(fields) if !fields.is_empty() => {
                let (k, v) = fields[rng.below(fields.len())].clone();
                let v = if rng.one_in(2) {
                    v
                } else {
                    random_value(rng, dict)
                };
                let at = rng.below(fields.len() + 1);
                fields.insert(at, (k, v));
            }
            other => *other = J::Obj(vec![]),
        },
        6 => match n {
            J::Obj(fields) => {
                let key = match fields.first() {
                    Some((k, _)) if rng.one_in(2) => near_miss(rng, k),
                    _ if !dict.is_empty() && rng.one_in(2) => (*rng.pick(dict)).to_owned(),
                    _ => random_string(rng),
                };
                let at = rng.below(fields.len() + 1);
                fields.insert(at, (key, random_value(rng, dict)));
            }
            J::Arr(items) => items.push(random_value(rng, dict)),
            other => *other = J::Arr(vec![other.clone()]),
        },
        7 => {
            // Nest: a few levels, or past serde_json's recursion limit (128).
            let levels = if rng.one_in(32) {
                rng.range(100, 1500)
            } else {
                rng.range(1, 4)
            };
            let mut v = core::mem::replace(n, J::Null);
            for _ in 0..levels.min(MAX_NEST.saturating_sub(deep)) {
                v = if rng.one_in(2) {
                    J::Arr(vec![v])
                } else {
                    J::Obj(vec![("a".into(), v)])
                };
            }
            *n = v;
        }
        8 => match n {
            // Many elements or fields: proportionality of the work per input byte.
            J::Arr(items) if !items.is_empty() => {
                let item = items[0].clone();
                let times = big(rng, 20000).min(room / (approx_len(&item) + 1));
                items.extend(core::iter::repeat_n(item, times));
            }
            J::Obj(fields) if !fields.is_empty() => {
                let (k, v) = fields[0].clone();
                let times = big(rng, 5000).min(room / (k.len() + approx_len(&v) + 8));
                for i in 0..times {
                    let key = if rng.one_in(2) {
                        k.clone()
                    } else {
                        format!("{k}{i}")
                    };
                    fields.push((key, v.clone()));
                }
            }
            other => *other = J::Arr(vec![J::Num("0".into()); big(rng, 20000).min(room / 2)]),
        },
        9 => match n {
            J::Obj(fields) if fields.len() > 1 => {
                let (a, b) = (rng.below(fields.len()), rng.below(fields.len()));
                fields.swap(a, b);
            }
            J::Obj(fields) if !fields.is_empty() => {
                let at = rng.below(fields.len());
                let key = near_miss(rng, &fields[at].0);
                fields[at].0 = key;
            }
            other => *other = J::Raw((*rng.pick(BAD_RAW)).to_owned()),
        },
        10 => match n {
            J::Num(s) => {
                s.push_str(rng.pick::<&str>(&["0", "000000000000000000000", ".0", "e5", "1"]))
            }
            other => *other = J::Num((*rng.pick(NUMBERS)).to_owned()),
        },
        _ => match n {
            J::Obj(fields) if !fields.is_empty() => {
                let at = rng.below(fields.len());
                fields[at].1 = J::Null;
            }
            other => *other = J::Raw((*rng.pick(BAD_RAW)).to_owned()),
        },
    }
}

/// Parses `text`, applies one to four mutations and writes it back; `None` when `text` is
/// not JSON (then mutate its bytes).
pub fn mutate_text(rng: &mut Rng, text: &[u8], dict: &[&str]) -> Option<Vec<u8>> {
    let mut root = parse(core::str::from_utf8(text).ok()?)?;
    for _ in 0..rng.range(1, 4) {
        mutate(rng, &mut root, dict);
    }
    let mut out = write(&root, Style::random(rng)).into_bytes();
    out.truncate(super::MAX_INPUT);
    Some(out)
}
