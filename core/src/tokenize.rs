#![forbid(unsafe_code)]
//! The tokenizer's general scan (`parsers/tokenizer.py` `_scan_slow` and helpers), in Rust.
//!
//! Byte-for-byte the same segments, envelope list and problems as the Python
//! per-segment loop (which the Python fast path agrees with on regular input):
//! segment boundaries with release characters, BIN/BDS binary segments,
//! inter-segment whitespace, line breaks inside segments, control characters,
//! undecodable bytes, empty segments and a missing final terminator. Never
//! panics on any input: every index is checked before use.

use std::borrow::Cow;

use memchr::memmem;

/// The text codecs the core decodes itself (others stay on the Python path).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Codec {
    Utf8,
    Latin1,
}

impl Codec {
    /// The codec's Python name, as it appears in messages.
    pub fn name(self) -> &'static str {
        match self {
            Codec::Utf8 => "utf-8",
            Codec::Latin1 => "latin-1",
        }
    }
}

/// Byte-level syntax of one interchange (the fields of Python's `Syntax` the scan uses).
#[derive(Clone, Debug)]
pub struct Syntax {
    pub x12: bool,
    pub codec: Codec,
    pub term: Vec<u8>,
    pub elem: Vec<u8>,
    /// First byte of the release character (Python's `escaped` compares only that byte).
    pub rel: Option<u8>,
    pub ws: [bool; 256],
    pub ctrl: [bool; 256],
    pub crlf_free: bool,
    /// Line-break bytes removed from inside segments (80-column wrap).
    pub strip: Vec<u8>,
    /// The element separator as text and the component separator as text.
    pub elem_str: String,
    pub comp_str: String,
    /// Bytes that take a segment off the plain path: non-ASCII, control, strippable line break.
    pub special: [bool; 256],
}

impl Syntax {
    /// Fill `special` from `ctrl`, `strip` and `crlf_free` (call after setting those).
    pub fn with_special(mut self) -> Self {
        for c in 0..256usize {
            let b = c as u8;
            self.special[c] = b >= 0x80 || self.ctrl[c] || (self.crlf_free && self.strip.contains(&b));
        }
        self
    }
}

/// Mark the bytes of `set` in a 256-entry table.
pub fn table(set: &[u8]) -> [bool; 256] {
    let mut t = [false; 256];
    for &c in set {
        t[c as usize] = true;
    }
    t
}

/// What a problem says; the message text is formatted by the caller (Python's `repr` is needed).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Msg {
    /// EDI061: two terminators in a row.
    Empty,
    /// EDI060: the tag (first 10 characters) is not a valid segment tag.
    TagInvalid(String),
    /// EDI009: the last segment has no terminator.
    FinalMissing,
    /// EDI064: the segment is not valid in the codec; decoded as Latin-1.
    Latin1,
    /// EDI062: the control character found.
    Ctrl(char),
    /// EDI065: binary length element: not numeric (its first 15 bytes).
    BinNotNumeric(Vec<u8>),
    /// EDI065: binary length does not end at a terminator.
    BinNoTerminator(u64),
    /// EDI065: BDS02 missing.
    BdsMissing,
    /// EDI065: binary segment truncated by the end of input.
    BinTruncated,
}

impl Msg {
    /// The stable error code of the problem.
    pub fn code(&self) -> &'static str {
        match self {
            Msg::Empty => "EDI061",
            Msg::TagInvalid(_) => "EDI060",
            Msg::FinalMissing => "EDI009",
            Msg::Latin1 => "EDI064",
            Msg::Ctrl(_) => "EDI062",
            Msg::BinNotNumeric(_) | Msg::BinNoTerminator(_) | Msg::BdsMissing | Msg::BinTruncated => {
                "EDI065"
            }
        }
    }
}

/// One problem: (segment index, buffer position, what, tag, element, component), as Python's tuple.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// Segment index in the block (-1 for an empty segment before the first one).
    pub k: i64,
    pub pos: usize,
    pub msg: Msg,
    pub tag: String,
    pub element: Option<usize>,
    pub component: Option<usize>,
}

/// How a segment's text is made from its bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// The raw bytes are ASCII: the text is those bytes.
    Ascii,
    /// Decode the raw bytes (line breaks removed first when `stripped`) with the codec, or Latin-1.
    Decoded { stripped: bool, latin1: bool },
    /// A BIN/BDS segment: its bytes decoded as Latin-1.
    Binary,
}

/// The result of scanning one block: what Python's `Block` holds after `_scan_slow`.
#[derive(Clone, Debug, Default)]
pub struct Scan {
    pub starts: Vec<usize>,
    pub tposs: Vec<usize>,
    pub kinds: Vec<Kind>,
    /// Envelope segments: (tag, k, start, tpos).
    pub env: Vec<(&'static str, usize, usize, usize)>,
    pub probs: Vec<Problem>,
    pub end: usize,
    pub ascii: bool,
}

const X12_ENVELOPE: [&str; 9] = ["ISA", "IEA", "GS", "GE", "ST", "SE", "TA1", "ISB", "ISE"];
const EDIFACT_ENVELOPE: [&str; 7] = ["UNA", "UNB", "UNZ", "UNG", "UNE", "UNH", "UNT"];

/// Position of `needle` in `buf[start..end]` (absolute), like Python's `bytes.find` with bounds.
pub fn find(buf: &[u8], needle: &[u8], start: usize, end: usize) -> Option<usize> {
    let end = end.min(buf.len());
    if start > end || needle.is_empty() {
        return if needle.is_empty() && start <= end { Some(start) } else { None };
    }
    let hay = &buf[start..end];
    let at = if needle.len() == 1 { memchr::memchr(needle[0], hay) } else { memmem::find(hay, needle) };
    at.map(|i| i + start)
}

/// True when the byte at `q` is preceded (down to `start`) by an odd run of release bytes.
pub fn escaped(buf: &[u8], start: usize, q: usize, rel: u8) -> bool {
    let mut n = 0usize;
    let mut i = q;
    while i > start && buf.get(i - 1) == Some(&rel) {
        n += 1;
        i -= 1;
    }
    n % 2 == 1
}

/// Python's `bytes.startswith(prefix, at)` (unbounded on the right, like the Python code).
fn starts_with_at(buf: &[u8], at: usize, prefix: &[u8]) -> bool {
    buf.get(at..).is_some_and(|s| s.starts_with(prefix))
}

/// Decode Latin-1 bytes (every byte is the code point of the same value).
pub fn latin1(raw: &[u8]) -> String {
    raw.iter().map(|&c| c as char).collect()
}

/// The text of a segment's bytes as the scan kept it.
pub fn text_of(syn: &Syntax, raw: &[u8], kind: Kind) -> String {
    match kind {
        Kind::Ascii => String::from_utf8_lossy(raw).into_owned(),
        Kind::Binary => latin1(raw),
        Kind::Decoded { stripped, latin1: fallback } => {
            let raw = &*strip_if(syn, raw, stripped);
            decode(syn, raw).map_or_else(|| latin1(raw), |s| if fallback { latin1(raw) } else { s })
        }
    }
}

/// `raw` without the line-break bytes of `syn.strip` when `stripped`, else `raw` itself.
fn strip_if<'a>(syn: &Syntax, raw: &'a [u8], stripped: bool) -> std::borrow::Cow<'a, [u8]> {
    if stripped {
        raw.iter().copied().filter(|c| !syn.strip.contains(c)).collect::<Vec<u8>>().into()
    } else {
        raw.into()
    }
}

/// Decode `raw` with the codec; `None` when it is not valid (then Python falls back to Latin-1).
fn decode(syn: &Syntax, raw: &[u8]) -> Option<String> {
    match syn.codec {
        Codec::Utf8 => std::str::from_utf8(raw).ok().map(str::to_owned),
        Codec::Latin1 => Some(latin1(raw)),
    }
}

/// The first `n` characters of `s`.
fn prefix(s: &str, n: usize) -> String {
    s.chars().take(n).collect()
}

/// `[A-Z][A-Z0-9]{1,2}` (X12) or `[A-Z][A-Z0-9]{2}` (EDIFACT), matched on the whole tag.
fn valid_tag(x12: bool, tag: &str) -> bool {
    let b = tag.as_bytes();
    let ok_len = if x12 { b.len() == 2 || b.len() == 3 } else { b.len() == 3 };
    ok_len
        && b[0].is_ascii_uppercase()
        && b[1..].iter().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
}

/// The interned envelope tag name, when `tag` is one.
fn envelope_tag(x12: bool, tag: &str) -> Option<&'static str> {
    // Most tags are not envelope tags: rule them out by their first letter, no comparison.
    let first = *tag.as_bytes().first()?;
    if (x12 && !matches!(first, b'I' | b'G' | b'S' | b'T')) || (!x12 && first != b'U') {
        return None;
    }
    let set: &[&'static str] = if x12 { &X12_ENVELOPE } else { &EDIFACT_ENVELOPE };
    set.iter().copied().find(|t| *t == tag)
}

/// Scan `buf[p..b]` one segment at a time (Python's `_scan_slow`, after `scan` skipped nothing).
pub fn scan(syn: &Syntax, buf: &[u8], a: usize, b: usize, eof: bool) -> Scan {
    let b = b.min(buf.len());
    let mut out = Scan { ascii: true, ..Scan::default() };
    let mut p = a;
    while p < b && syn.ws[buf[p] as usize] {
        p += 1;
    }
    if p >= b {
        out.end = b;
        return out;
    }
    out.ascii = buf[p..b].is_ascii();
    let printable_plain = (0x20..0x7f).all(|c| !syn.special[c]);
    let guess = (b - p) / 24 + 1; // segments are rarely shorter: one allocation per column
    out.starts.reserve(guess);
    out.tposs.reserve(guess);
    out.kinds.reserve(guess);
    let t = &syn.term[..];
    let lt = t.len();
    let mut consumed = p;
    loop {
        while p < b && syn.ws[buf[p] as usize] {
            p += 1;
        }
        if p >= b {
            consumed = b;
            break;
        }
        let k = out.starts.len();
        let mut q = find(buf, t, p, b);
        if let Some(rel) = syn.rel {
            while let Some(qq) = q {
                if !escaped(buf, p, qq, rel) {
                    break;
                }
                q = find(buf, t, qq + lt, b);
            }
        }
        let mut binary = false;
        if syn.x12 && is_binary_start(syn, buf, p) {
            match binary_at(syn, buf, p, b, eof, k, &mut out.probs) {
                Bin::More => break,
                Bin::At(bq) => {
                    q = Some(bq);
                    binary = true;
                }
                Bin::Invalid => {}
            }
        }
        let unterminated = q.is_none();
        let q = match q {
            Some(q) => q,
            None if !eof => break,
            None => b,
        };
        if q == p {
            out.probs.push(Problem {
                k: k as i64 - 1,
                pos: p,
                msg: Msg::Empty,
                tag: String::new(),
                element: None,
                component: None,
            });
            p = q + lt;
            consumed = p;
            continue;
        }
        let raw = &buf[p..q];
        let (kind, tag) = if binary {
            (Kind::Binary, Cow::Owned(tag_of(syn, &latin1(raw))))
        } else {
            segment(syn, raw, k, p, &mut out.probs, printable_plain)
        };
        if !valid_tag(syn.x12, &tag) {
            let t10 = prefix(&tag, 10);
            out.probs.push(Problem {
                k: k as i64,
                pos: p,
                msg: Msg::TagInvalid(t10.clone()),
                tag: t10,
                element: None,
                component: None,
            });
        } else if let Some(name) = envelope_tag(syn.x12, &tag) {
            out.env.push((name, k, p, q));
        }
        out.starts.push(p);
        out.tposs.push(q);
        out.kinds.push(kind);
        if unterminated {
            out.probs.push(Problem {
                k: k as i64,
                pos: p,
                msg: Msg::FinalMissing,
                tag: prefix(&tag, 3),
                element: None,
                component: None,
            });
            consumed = b;
            break;
        }
        p = q + lt;
        consumed = p;
    }
    out.end = consumed;
    out
}

/// The tag of a segment's text: up to the first element separator.
fn tag_of(syn: &Syntax, text: &str) -> String {
    tag_slice(syn, text).to_owned()
}

/// `tag_of` without the copy: the tag as a slice of the text.
fn tag_slice<'t>(syn: &Syntax, text: &'t str) -> &'t str {
    match text.find(syn.elem_str.as_str()) {
        Some(i) if !syn.elem_str.is_empty() => &text[..i],
        _ => text,
    }
}

/// True when no byte of `raw` is `special` (the text is its bytes). With `printable_plain`
/// (no printable ASCII byte is special) a branch-free range test over the whole segment,
/// which the compiler vectorises, answers first; the table lookup decides otherwise.
fn is_plain(syn: &Syntax, raw: &[u8], printable_plain: bool) -> bool {
    if printable_plain && raw.iter().fold(0u8, |acc, &c| acc | u8::from(c.wrapping_sub(0x20) >= 0x5f)) == 0 {
        return true;
    }
    !raw.iter().any(|&c| syn.special[c as usize])
}

/// The text kind and tag of non-binary segment `k` at `p`, noting its problems (`_segment_text`).
fn segment<'r>(
    syn: &Syntax,
    raw: &'r [u8],
    k: usize,
    p: usize,
    probs: &mut Vec<Problem>,
    printable_plain: bool,
) -> (Kind, Cow<'r, str>) {
    if is_plain(syn, raw, printable_plain) {
        // The common case: ASCII, no control byte, no line break to strip: the text is the
        // bytes, and only the tag is read here (up to the one-byte element separator).
        if let [e] = syn.elem[..] {
            if e.is_ascii() {
                let end = memchr::memchr(e, raw).unwrap_or(raw.len());
                return (Kind::Ascii, Cow::Borrowed(std::str::from_utf8(&raw[..end]).unwrap_or("")));
            }
        }
        let text = std::str::from_utf8(raw).unwrap_or("");
        return (Kind::Ascii, Cow::Borrowed(tag_slice(syn, text)));
    }
    let stripped = syn.crlf_free && raw.iter().any(|c| syn.strip.contains(c));
    let raw = &*strip_if(syn, raw, stripped);
    let bad = raw.iter().any(|&c| syn.ctrl[c as usize]);
    let (text, fallback) = match decode(syn, raw) {
        Some(s) => (s, false),
        None => (latin1(raw), true),
    };
    if fallback {
        probs.push(Problem {
            k: k as i64,
            pos: p,
            msg: Msg::Latin1,
            tag: prefix(&text, 3),
            element: None,
            component: None,
        });
    }
    if bad {
        probs.push(ctrl_problem(syn, k, p, &text));
    }
    let kind = if !stripped && !fallback && raw.is_ascii() {
        Kind::Ascii
    } else {
        Kind::Decoded { stripped, latin1: fallback }
    };
    (kind, Cow::Owned(tag_of(syn, &text)))
}

/// Locate the first control character of a segment (`_ctrl_problem`: character offsets).
fn ctrl_problem(syn: &Syntax, k: usize, p: usize, text: &str) -> Problem {
    let is_ctrl = |c: char| (c as u32) < 256 && syn.ctrl[c as usize];
    let (i, (bi, ch)) = text
        .char_indices()
        .enumerate()
        .find(|(_, (_, c))| is_ctrl(*c))
        .unwrap_or((0, (0, '\0')));
    let head = &text[..bi];
    let es = syn.elem_str.as_str();
    let element = if es.is_empty() { 0 } else { head.matches(es).count() };
    let last = if es.is_empty() { head } else { head.rsplit(es).next().unwrap_or(head) };
    let cs = syn.comp_str.as_str();
    let comp = if element > 0 {
        Some(if cs.is_empty() { last.chars().count() + 2 } else { last.matches(cs).count() + 1 })
    } else {
        None
    };
    Problem {
        k: k as i64,
        pos: p + i,
        msg: Msg::Ctrl(ch),
        tag: prefix(&tag_of(syn, text), 3),
        element: if element > 0 { Some(element) } else { None },
        component: comp,
    }
}

/// True when a BIN or BDS segment (tag + element separator) starts at `p`.
fn is_binary_start(syn: &Syntax, buf: &[u8], p: usize) -> bool {
    let Some(rest) = buf.get(p..) else { return false };
    rest.first() == Some(&b'B')
        && (rest.starts_with(b"BIN") || rest.starts_with(b"BDS"))
        && starts_with_at(buf, p + 3, &syn.elem)
}

/// Where a binary segment ends.
enum Bin {
    /// More input is needed (not at end of input).
    More,
    /// Its terminator position.
    At(usize),
    /// Its length element is unusable (a problem was noted): cut it like any other segment.
    Invalid,
}

/// Python's `_binary_at`: the terminator of the BIN/BDS segment `k` at `p`.
fn binary_at(syn: &Syntax, buf: &[u8], p: usize, b: usize, eof: bool, k: usize, probs: &mut Vec<Problem>) -> Bin {
    let (bq, mut problem) = binary_end(syn, buf, p, b);
    if bq == BinEnd::More {
        if !eof {
            return Bin::More;
        }
        problem = Some(Msg::BinTruncated);
    }
    if let Some(msg) = problem {
        let at = if buf.get(p + 2) == Some(&b'N') { 1 } else { 2 };
        probs.push(Problem {
            k: k as i64,
            pos: p,
            msg,
            tag: latin1(&buf[p..(p + 3).min(buf.len())]),
            element: Some(at),
            component: None,
        });
        return Bin::Invalid;
    }
    match bq {
        BinEnd::At(q) => Bin::At(q),
        _ => Bin::Invalid,
    }
}

#[derive(PartialEq, Eq)]
enum BinEnd {
    More,
    At(usize),
    Invalid,
}

/// Python's `_binary_end`: the terminator position from the length element.
fn binary_end(syn: &Syntax, buf: &[u8], p: usize, b: usize) -> (BinEnd, Option<Msg>) {
    let e = &syn.elem[..];
    let le = e.len();
    let mut i = p + 3 + le;
    if buf.get(p + 2) == Some(&b'S') {
        match find(buf, e, i, b.min(i + 8)) {
            None => {
                return if (b as i64) - (i as i64) < 8 {
                    (BinEnd::More, None)
                } else {
                    (BinEnd::Invalid, Some(Msg::BdsMissing))
                };
            }
            Some(j) => i = j + le,
        }
    }
    let j = find(buf, e, i, b.min(i + 16));
    if j.is_none() && (b as i64) - (i as i64) < 16 {
        return (BinEnd::More, None);
    }
    let stop = j.unwrap_or(i + 16).min(buf.len());
    let length = buf.get(i..stop).unwrap_or(&[]);
    if length.is_empty() || !length.iter().all(u8::is_ascii_digit) {
        return (BinEnd::Invalid, Some(Msg::BinNotNumeric(length[..length.len().min(15)].to_vec())));
    }
    // At most 16 digits: fits in u64. Python's j is -1 when no separator was found.
    let n: u64 = length.iter().fold(0u64, |acc, &c| acc * 10 + u64::from(c - b'0'));
    let base: i128 = match j {
        Some(j) => j as i128,
        None => -1,
    };
    let q = base + le as i128 + i128::from(n);
    if q + syn.term.len() as i128 > b as i128 {
        return (BinEnd::More, None);
    }
    let q = q as usize;
    if !starts_with_at(buf, q, &syn.term) {
        return (BinEnd::Invalid, Some(Msg::BinNoTerminator(n)));
    }
    (BinEnd::At(q), None)
}

/// Python's `repr` of a `bytes` value.
pub fn bytes_repr(b: &[u8]) -> String {
    let quote = if b.contains(&b'\'') && !b.contains(&b'"') { '"' } else { '\'' };
    let mut s = String::from("b");
    s.push(quote);
    for &c in b {
        match c {
            b'\\' => s.push_str("\\\\"),
            b'\t' => s.push_str("\\t"),
            b'\n' => s.push_str("\\n"),
            b'\r' => s.push_str("\\r"),
            c if c == quote as u8 => {
                s.push('\\');
                s.push(c as char);
            }
            0x20..=0x7e => s.push(c as char),
            c => s.push_str(&format!("\\x{c:02x}")),
        }
    }
    s.push(quote);
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn x12() -> Syntax {
        Syntax {
            x12: true,
            codec: Codec::Utf8,
            term: b"~".to_vec(),
            elem: b"*".to_vec(),
            rel: None,
            ws: table(b" \t\r\n"),
            ctrl: table(&(0u8..32).chain([127]).filter(|c| !b"\t\r\n".contains(c)).collect::<Vec<_>>()),
            crlf_free: true,
            strip: b"\r\n".to_vec(),
            elem_str: "*".into(),
            comp_str: ":".into(),
            special: [false; 256],
        }
        .with_special()
    }

    fn texts(syn: &Syntax, buf: &[u8], s: &Scan) -> Vec<String> {
        (0..s.starts.len()).map(|i| text_of(syn, &buf[s.starts[i]..s.tposs[i]], s.kinds[i])).collect()
    }

    #[test]
    fn regular_segments_and_envelopes() {
        let syn = x12();
        let buf = b"ST*850*1~\nBEG*00~\nSE*3*1~\n";
        let s = scan(&syn, buf, 0, buf.len(), false);
        assert_eq!(texts(&syn, buf, &s), ["ST*850*1", "BEG*00", "SE*3*1"]);
        assert_eq!(s.env.iter().map(|e| (e.0, e.1)).collect::<Vec<_>>(), [("ST", 0), ("SE", 2)]);
        assert!(s.probs.is_empty() && s.end == buf.len() && s.ascii);
    }

    #[test]
    fn problems_are_located() {
        let syn = x12();
        let buf = b"ST*1~\nBE\nG*2~\nbeg*2\x07~~BIN*3*A~B~SE";
        let s = scan(&syn, buf, 0, buf.len(), true);
        assert_eq!(texts(&syn, buf, &s), ["ST*1", "BEG*2", "beg*2\x07", "BIN*3*A~B", "SE"]);
        let codes: Vec<_> = s.probs.iter().map(|p| (p.msg.code(), p.k, p.pos)).collect();
        assert_eq!(codes, [("EDI062", 2, 19), ("EDI060", 2, 14), ("EDI061", 2, 21), ("EDI009", 4, 32)]);
    }

    #[test]
    fn binary_waits_for_more_input() {
        let syn = x12();
        let buf = b"ST*1~\nBIN*10*AB~";
        let s = scan(&syn, buf, 0, buf.len(), false);
        assert_eq!(s.starts.len(), 1);
        assert_eq!(&buf[s.end..], b"\nBIN*10*AB~");
    }

    #[test]
    fn release_and_undecodable_bytes() {
        let mut syn = x12();
        syn.rel = Some(b'?');
        let buf = b"A*?~x~B\xff~";
        let s = scan(&syn, buf, 0, buf.len(), true);
        assert_eq!(texts(&syn, buf, &s), ["A*?~x", "B\u{ff}"]);
        assert!(s.probs.iter().any(|p| p.msg == Msg::Latin1 && p.k == 1));
        assert!(!s.ascii);
    }

    #[test]
    fn never_panics_on_odd_bounds() {
        let syn = x12();
        for buf in [&b""[..], b"~", b"BIN*", b"BDS*", b"BDS*1*99999999999999999*", b"BIN*0000000000000009~"] {
            for a in 0..=buf.len() {
                for b in a..=buf.len() + 2 {
                    let _ = scan(&syn, buf, a, b, true);
                    let _ = scan(&syn, buf, a, b, false);
                }
            }
        }
    }

    #[test]
    fn bytes_repr_like_python() {
        assert_eq!(bytes_repr(b"a'\\\x00"), "b\"a'\\\\\\x00\"");
        assert_eq!(bytes_repr(b"1x"), "b'1x'");
    }
}
