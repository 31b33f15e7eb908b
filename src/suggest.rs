//! "Did you mean ...?": the known name a misspelt one most likely stands for, for unknown
//! options, request options and body fields.

fn normalise(s: &str) -> String {
    s.chars()
        .filter(|c| *c != '_' && *c != '-')
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// The name among `names` that `key` most likely misspells: the same once case, `_` and `-`
/// are set aside; a name followed by a unit or a qualifier (`timeoutMs` for `timeout`); or
/// at most max(2, len/5) edits away (names of 5 characters or more: two edits turn `log`
/// into `now`). Work is bounded by the names' lengths, however long `key` is.
pub fn suggest<'a>(key: &str, names: &[&'a str]) -> Option<&'a str> {
    let key = normalise(key);
    let mut best: Option<(usize, &'a str)> = None;
    for name in names {
        let n = normalise(name);
        let distance = if n == key {
            0
        } else if n.len() < 5 {
            continue;
        } else if key.starts_with(&n) && key.len() <= n.len() + 7 {
            1
        } else {
            match distance_within(&n, &key, 2.max(n.len() / 5)) {
                Some(d) => d,
                None => continue,
            }
        };
        if best.is_none_or(|(b, _)| distance < b) {
            best = Some((distance, name));
        }
    }
    best.map(|(_, name)| name)
}

/// The edit distance of `a` and `b` when it is at most `max`. `b` may be any length: past a
/// length that no `max` edits can reach, it is refused without the quadratic distance.
pub(crate) fn distance_within(a: &str, b: &str, max: usize) -> Option<usize> {
    if b.len() > a.len() + max {
        return None;
    }
    Some(edit_distance(a, b)).filter(|d| *d <= max)
}

/// Levenshtein distance over bytes (names are ASCII; a non-ASCII character then counts as
/// more than one edit, which only makes a suggestion less likely), one row at a time.
fn edit_distance(a: &str, b: &str) -> usize {
    let b = b.as_bytes();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.bytes().enumerate() {
        let mut diagonal = i;
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let up = row[j + 1];
            row[j + 1] = (diagonal + usize::from(ca != *cb))
                .min(up + 1)
                .min(row[j] + 1);
            diagonal = up;
        }
    }
    row[b.len()]
}
