#![forbid(unsafe_code)]
//! orjson's compact byte format for the values the core writes (strings, ints, arrays,
//! objects): no spaces; `"` and `\` escaped; 0x08 0x09 0x0a 0x0c 0x0d as `\b \t \n \f \r`;
//! every other byte below 0x20 as `\u00xx` (lower-case hex); everything else (0x7f, `/`,
//! non-ASCII UTF-8) written raw.

/// 0 for a byte written as is, else the letter of its short escape or `u` for `\u00xx`.
const ESCAPE: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 0x20 {
        t[i] = b'u';
        i += 1;
    }
    t[0x08] = b'b';
    t[0x09] = b't';
    t[0x0a] = b'n';
    t[0x0c] = b'f';
    t[0x0d] = b'r';
    t[b'"' as usize] = b'"';
    t[b'\\' as usize] = b'\\';
    t
};

const HEX: &[u8; 16] = b"0123456789abcdef";

/// A u64 with `b` in every byte.
const fn splat(b: u8) -> u64 {
    (b as u64) * 0x0101_0101_0101_0101
}

/// Nonzero when some byte of `w` is below 0x20 or is `"` or `\` (no false negatives;
/// a false positive only past a true one, so zero means none).
#[inline]
fn needs_escape(w: u64) -> u64 {
    const HI: u64 = splat(0x80);
    let ctrl = w.wrapping_sub(splat(0x20)) & !w;
    let (q, bs) = (w ^ splat(b'"'), w ^ splat(b'\\'));
    let quote = q.wrapping_sub(splat(1)) & !q;
    let back = bs.wrapping_sub(splat(1)) & !bs;
    (ctrl | quote | back) & HI
}

/// Little-endian u32 / u64 of the first bytes of a slice (0 when too short: never reached).
#[inline]
fn le4(b: &[u8]) -> u64 {
    b.get(..4).and_then(|x| <[u8; 4]>::try_from(x).ok()).map_or(0, |x| u32::from_le_bytes(x) as u64)
}

#[inline]
fn le8(b: &[u8]) -> u64 {
    b.get(..8).and_then(|x| <[u8; 8]>::try_from(x).ok()).map_or(0, u64::from_le_bytes)
}

/// True when some byte of `bytes` needs an escape: whole words, the last one overlapping
/// (short strings as two overlapping halves), so no byte-by-byte loop.
#[inline]
fn any_escape(bytes: &[u8]) -> bool {
    let n = bytes.len();
    let w = match n {
        0 => return false,
        1..=3 => {
            // every byte lands in the word (some twice): presence is exact
            let (x, y, z) = (bytes[0] as u64, bytes[n / 2] as u64, bytes[n - 1] as u64);
            x | y << 8 | z << 16 | x << 24 | x << 32 | x << 40 | x << 48 | x << 56
        }
        4..=8 => le4(bytes) | le4(bytes.get(n - 4..).unwrap_or(&[])) << 32,
        _ => {
            let mut acc = 0;
            let mut i = 0;
            while i + 8 < n {
                acc |= needs_escape(le8(bytes.get(i..).unwrap_or(&[])));
                i += 8;
            }
            return acc != 0 || needs_escape(le8(bytes.get(n - 8..).unwrap_or(&[]))) != 0;
        }
    };
    needs_escape(w) != 0
}

/// Append `s` as a JSON string (quotes included).
pub fn write_str(out: &mut Vec<u8>, s: &str) {
    let bytes = s.as_bytes();
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    if !any_escape(bytes) {
        // the common case: nothing to escape, one copy
        out.extend_from_slice(bytes);
        out.push(b'"');
        return;
    }
    let mut run = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let e = ESCAPE[b as usize];
        if e == 0 {
            continue;
        }
        out.extend_from_slice(bytes.get(run..i).unwrap_or(&[]));
        if e == b'u' {
            out.extend_from_slice(b"\\u00");
            out.push(HEX[(b >> 4) as usize]);
            out.push(HEX[(b & 0xf) as usize]);
        } else {
            out.push(b'\\');
            out.push(e);
        }
        run = i + 1;
    }
    out.extend_from_slice(bytes.get(run..).unwrap_or(&[]));
    out.push(b'"');
}

/// Append a non-negative integer in decimal.
pub fn write_uint(out: &mut Vec<u8>, n: usize) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    let mut n = n;
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(buf.get(i..).unwrap_or(&[]));
}

/// Append `"key":` (an object key and its colon).
pub fn write_key(out: &mut Vec<u8>, key: &str) {
    write_str(out, key);
    out.push(b':');
}

/// Append a JSON array, each item written by `write` (commas between them).
pub fn write_array<T>(out: &mut Vec<u8>, items: impl IntoIterator<Item = T>, mut write: impl FnMut(&mut Vec<u8>, T)) {
    out.push(b'[');
    for (i, item) in items.into_iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        write(out, item);
    }
    out.push(b']');
}

/// Append a JSON array of strings.
pub fn write_str_array(out: &mut Vec<u8>, items: &[&str]) {
    write_array(out, items, |out, s| write_str(out, s));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &str) -> String {
        let mut out = Vec::new();
        write_str(&mut out, v);
        String::from_utf8(out).unwrap_or_default()
    }

    #[test]
    fn escapes_like_orjson() {
        assert_eq!(s(""), r#""""#);
        assert_eq!(s("abc"), r#""abc""#);
        assert_eq!(s("a\"b\\c"), r#""a\"b\\c""#);
        assert_eq!(s("\u{8}\t\n\u{c}\r"), r#""\b\t\n\f\r""#);
        assert_eq!(s("\u{0}\u{1f}\u{b}"), r#""\u0000\u001f\u000b""#);
        assert_eq!(s("/\u{7f}é€😀"), "\"/\u{7f}é€😀\"");
        assert_eq!(s("x\ny"), r#""x\ny""#);
        // the word-at-a-time scan: every escape at every offset of long strings
        for c in (0u8..0x80).chain([0xc3]) {
            for (len, at) in (1..21).flat_map(|n| (0..n).map(move |a| (n, a))) {
                let mut v = vec![b'a'; len];
                v[at] = c;
                if c == 0xc3 {
                    v.insert(at + 1, 0xa9);
                }
                let t = String::from_utf8(v).unwrap_or_default();
                let slow: String = t.chars().map(|ch| match ch {
                    '"' => "\\\"".to_owned(),
                    '\\' => "\\\\".to_owned(),
                    '\u{8}' => "\\b".to_owned(),
                    '\t' => "\\t".to_owned(),
                    '\n' => "\\n".to_owned(),
                    '\u{c}' => "\\f".to_owned(),
                    '\r' => "\\r".to_owned(),
                    ch if (ch as u32) < 0x20 => format!("\\u{:04x}", ch as u32),
                    ch => ch.to_string(),
                }).collect();
                assert_eq!(s(&t), format!("\"{slow}\""), "{c} at {at}");
            }
        }
    }

    #[test]
    fn ints_and_arrays() {
        let mut out = Vec::new();
        write_uint(&mut out, 0);
        out.push(b' ');
        write_uint(&mut out, 1234567890);
        out.push(b' ');
        write_uint(&mut out, usize::MAX);
        out.push(b' ');
        write_str_array(&mut out, &["a", "", "\""]);
        assert_eq!(String::from_utf8(out).unwrap_or_default(), format!("0 1234567890 {} [\"a\",\"\",\"\\\"\"]", usize::MAX));
    }
}
