#![forbid(unsafe_code)]
//! A transaction's body as orjson would write it: `segments` (each text split into
//! elements, `parsers.segments.split_segment`) and, optionally, `data` (`crate::data`).
//!
//! Release characters (EDIFACT `?`) are handled as `_split_released` does: each
//! released pair (the release character and the next character, whatever it is,
//! left to right, not overlapping) is masked, the masked text is split as usual (the
//! `ISA` rule and the component / repetition checks see the masked text), then the
//! released characters are put back; a release character ending the text stays as
//! it is. Such a segment's values are unescaped once into a per-body arena
//! ([`Released`]) and its elements carry them pre-split ([`El::CL`], [`El::RL`]); a
//! body without a release character allocates nothing of this.
//!
//! Declines (None) whatever it does not reproduce exactly: a text holding the release
//! character and also one of Python's stand-ins (`_SENTINELS`, see [`is_sentinel`]:
//! there Python's choice of stand-in, or its "every stand-in used" fallback, could
//! differ), a delimiter that is not one character, a document over 4 GiB (`ends` are
//! u32), an unsupported dictionary, a date or time value holding non-ASCII characters.

use std::borrow::Cow;

use crate::data;
use crate::dict::Dict;
use crate::json::{write_array, write_str, write_str_array};
use crate::split::{contains_char, split_char};

/// One element of a split segment (`parsers.model.Element`), its text not yet cut
/// further: components and repetitions are split when written (no allocation here).
/// A segment with a release character has its values unescaped, and its composites
/// and repetitions already cut (`CL`, `RL`): a released separator is no separator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum El<'a> {
    /// A plain string.
    S(&'a str),
    /// A composite (`el.split(component)`): the element's text, holding the separator.
    C(&'a str),
    /// A repeated element (`[r.split(component) for r in el.split(repetition)]`).
    R(&'a str),
    /// A composite of a segment with released characters: its components (never none).
    CL(&'a [&'a str]),
    /// A repeated element of a segment with released characters: each repetition's
    /// components (never none).
    RL(&'a [&'a [&'a str]]),
}

impl El<'_> {
    /// Python's truthiness: only the empty string is false (lists are never empty).
    pub fn is_empty(&self) -> bool {
        matches!(self, El::S(""))
    }
}

/// The separators that cut an element further (component, repetition).
#[derive(Clone, Copy, Debug)]
pub struct Cut {
    pub comp: char,
    /// The repetition separator (only read for `El::R`, which needs one).
    pub rep: char,
}

/// The separators of one interchange (`parsers.model.Delimiters`, one character each).
#[derive(Clone, Copy, Debug)]
pub struct Delims {
    pub element: char,
    pub component: char,
    pub repetition: Option<char>,
    pub release: Option<char>,
}

/// What `render_body` returns: tags, `segments` JSON, end offsets, `data` JSON.
#[derive(Debug)]
pub struct Body<'a> {
    /// Each segment's tag (`seg[0]`): borrowed from its text unless it holds an escape.
    pub tags: Vec<Cow<'a, str>>,
    pub segments: Vec<u8>,
    /// Per segment: the offset in `segments` just after its JSON value.
    pub ends: Vec<u32>,
    pub data: Option<Vec<u8>>,
}

/// Append one segment's elements (no release character in it, or the release character
/// ignored: `d.release` is not read) as `split_segment` splits it.
pub fn split_into<'a>(text: &'a str, d: &Delims, out: &mut Vec<El<'a>>) {
    let (comp, rep) = (d.component, d.repetition.filter(|r| contains_char(text, *r)));
    let mut parts = split_char(text, d.element);
    let tag = parts.next().unwrap_or("");
    out.push(El::S(tag));
    if (!contains_char(text, comp) && rep.is_none()) || tag == "ISA" {
        // plain strings (ISA11 / ISA16 are delimiters themselves)
        out.extend(parts.map(El::S));
        return;
    }
    out.extend(parts.map(|el| match rep {
        Some(r) if contains_char(el, r) => El::R(el),
        _ if contains_char(el, comp) => El::C(el),
        _ => El::S(el),
    }));
}

/// One segment's elements (see [`split_into`]).
pub fn split_segment<'a>(text: &'a str, d: &Delims) -> Vec<El<'a>> {
    let mut out = Vec::new();
    split_into(text, d, &mut out);
    out
}

/// Append `text.split(sep)` as a JSON array of strings.
fn write_split(out: &mut Vec<u8>, text: &str, sep: char) {
    write_array(out, split_char(text, sep), write_str);
}

/// Append one segment as a JSON array (orjson's bytes for its `Segment`).
pub fn write_segment(out: &mut Vec<u8>, seg: &[El<'_>], cut: Cut) {
    out.push(b'[');
    for (i, el) in seg.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        match el {
            El::S(s) => write_str(out, s),
            El::C(c) => write_split(out, c, cut.comp),
            El::R(r) => write_array(out, split_char(r, cut.rep), |out, one| write_split(out, one, cut.comp)),
            El::CL(c) => write_str_array(out, c),
            El::RL(reps) => write_array(out, reps.iter(), |out, one| write_str_array(out, one)),
        }
    }
    out.push(b']');
}

/// All segments' elements in one array: segment i is `els[starts[i]..starts[i + 1]]`.
pub struct Segs<'a> {
    pub els: Vec<El<'a>>,
    pub starts: Vec<usize>,
    pub cut: Cut,
}

impl<'a> Segs<'a> {
    /// Split every text (none holding a release character: see [`Segs::split_released`]).
    pub fn split(texts: &[&'a str], d: &Delims) -> Self {
        let mut els = Vec::with_capacity(texts.len() * 8);
        let mut starts = Vec::with_capacity(texts.len() + 1);
        for t in texts {
            starts.push(els.len());
            split_into(t, d, &mut els);
        }
        starts.push(els.len());
        Segs { els, starts, cut: Cut { comp: d.component, rep: d.repetition.unwrap_or(d.component) } }
    }

    /// Split every text, taking the segments with a release character from `rel` (made
    /// of the same texts and delimiters; `pieces` and `reps` are its [`Released::pieces`]
    /// and [`Released::reps`]).
    pub fn split_released(
        texts: &[&'a str],
        d: &Delims,
        rel: &Released,
        pieces: &'a [&'a str],
        reps: &'a [&'a [&'a str]],
    ) -> Self {
        let mut els = Vec::with_capacity(texts.len() * 8);
        let mut starts = Vec::with_capacity(texts.len() + 1);
        let mut k = 0;
        for t in texts {
            starts.push(els.len());
            if d.release.is_some_and(|r| t.contains(r)) {
                let (a, b) = (rel.segs.get(k).copied().unwrap_or(0), rel.segs.get(k + 1).copied().unwrap_or(0));
                k += 1;
                els.extend(rel.shapes.get(a..b).unwrap_or(&[]).iter().map(|sh| match *sh {
                    Shape::S(i) => El::S(pieces.get(i).copied().unwrap_or("")),
                    Shape::C(i, j) => El::CL(pieces.get(i..j).unwrap_or(&[])),
                    Shape::R(i, j) => El::RL(reps.get(i..j).unwrap_or(&[])),
                }));
            } else {
                split_into(t, d, &mut els);
            }
        }
        starts.push(els.len());
        Segs { els, starts, cut: Cut { comp: d.component, rep: d.repetition.unwrap_or(d.component) } }
    }

    /// Segment `i`'s elements (the tag first).
    pub fn get(&self, i: usize) -> &[El<'a>] {
        let (a, b) = (self.starts.get(i).copied().unwrap_or(0), self.starts.get(i + 1).copied().unwrap_or(0));
        self.els.get(a..b).unwrap_or(&[])
    }

    /// The number of segments.
    pub fn len(&self) -> usize {
        self.starts.len().saturating_sub(1)
    }

    /// True without segments.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// True for a character of `parsers.segments._SENTINELS` (the stand-ins Python masks
/// released pairs with): NUL, U+E000..=U+E008 and U+F0000..=U+F00FF.
pub fn is_sentinel(c: char) -> bool {
    c == '\0' || ('\u{e000}'..='\u{e008}').contains(&c) || ('\u{f0000}'..='\u{f00ff}').contains(&c)
}

/// One element of a segment with released characters, as indexes into [`Released`].
#[derive(Clone, Copy, Debug)]
enum Shape {
    /// `pieces[i]`.
    S(usize),
    /// `pieces[i..j]`.
    C(usize, usize),
    /// `reps[i..j]`.
    R(usize, usize),
}

/// The unescaped values of the segments holding a release character (`_split_released`),
/// kept apart from the texts: one string, the pieces' ranges in it, and each segment's
/// element shapes. Built first, then borrowed ([`Released::pieces`], [`Released::reps`],
/// [`Segs::split_released`]).
#[derive(Debug, Default)]
pub struct Released {
    buf: String,
    /// Byte ranges of `buf`: every string value (tag, element, component).
    pieces: Vec<(usize, usize)>,
    /// Ranges of `pieces`: each repetition's components.
    reps: Vec<(usize, usize)>,
    shapes: Vec<Shape>,
    /// Per released segment, in text order: where its shapes start (then the end).
    segs: Vec<usize>,
}

impl Released {
    /// Split and unescape every text holding `d.release`; None when such a text also
    /// holds a character [`is_sentinel`] (declined).
    pub fn new(texts: &[&str], d: &Delims) -> Option<Self> {
        let mut rel = Released::default();
        let Some(r) = d.release else { return Some(rel) };
        // The stand-in: no delimiter, and (declined otherwise) in no released text.
        let taken = [Some(d.element), Some(d.component), d.repetition, Some(r)];
        let sentinel = std::iter::once('\0').chain('\u{e000}'..='\u{e008}').find(|c| !taken.contains(&Some(*c)))?;
        let plain = Delims { release: None, ..*d };
        let cut = Cut { comp: d.component, rep: d.repetition.unwrap_or(d.component) };
        let mut masked = String::new();
        let mut escapes = Vec::new();
        for t in texts.iter().filter(|t| t.contains(r)) {
            if t.chars().any(is_sentinel) {
                return None;
            }
            // `re.sub(re.escape(release) + "(.)", sentinel, text, flags=DOTALL)`
            masked.clear();
            escapes.clear();
            let mut chars = t.chars();
            while let Some(c) = chars.next() {
                match (c == r).then(|| chars.next()).flatten() {
                    Some(e) => {
                        masked.push(sentinel);
                        escapes.push(e);
                    }
                    None => masked.push(c),
                }
            }
            let els = split_segment(&masked, &plain);
            let mut esc = escapes.iter().copied();
            rel.segs.push(rel.shapes.len());
            for el in &els {
                let shape = match *el {
                    El::S(s) => Shape::S(rel.piece(s, sentinel, &mut esc)),
                    El::C(c) => {
                        let a = rel.pieces.len();
                        for one in c.split(cut.comp) {
                            rel.piece(one, sentinel, &mut esc);
                        }
                        Shape::C(a, rel.pieces.len())
                    }
                    El::R(x) => {
                        let a = rel.reps.len();
                        for one in x.split(cut.rep) {
                            let b = rel.pieces.len();
                            for c in one.split(cut.comp) {
                                rel.piece(c, sentinel, &mut esc);
                            }
                            rel.reps.push((b, rel.pieces.len()));
                        }
                        Shape::R(a, rel.reps.len())
                    }
                    El::CL(_) | El::RL(_) => return None, // split_into makes none
                };
                rel.shapes.push(shape);
            }
        }
        rel.segs.push(rel.shapes.len());
        Some(rel)
    }

    /// Append `s` unmasked (each stand-in replaced by the next released character) as a piece.
    fn piece(&mut self, s: &str, sentinel: char, esc: &mut impl Iterator<Item = char>) -> usize {
        let a = self.buf.len();
        for c in s.chars() {
            self.buf.push(if c == sentinel { esc.next().unwrap_or(c) } else { c });
        }
        self.pieces.push((a, self.buf.len()));
        self.pieces.len() - 1
    }

    /// Every piece as a string (indexes of the shapes).
    pub fn pieces(&self) -> Vec<&str> {
        self.pieces.iter().map(|&(a, b)| self.buf.get(a..b).unwrap_or("")).collect()
    }

    /// Every repetition as its components, borrowed from [`Released::pieces`].
    pub fn reps<'p>(&self, pieces: &'p [&'p str]) -> Vec<&'p [&'p str]> {
        self.reps.iter().map(|&(a, b)| pieces.get(a..b).unwrap_or(&[])).collect()
    }
}

/// The tag of a split segment (its first element, always a string).
fn tag_of<'a>(seg: &[El<'a>]) -> &'a str {
    match seg.first() {
        Some(El::S(s)) => s,
        _ => "",
    }
}

/// The `segments` JSON of split segments and each one's end offset; None past 4 GiB.
fn segments_json(segs: &Segs<'_>, hint: usize) -> Option<(Vec<u8>, Vec<u32>)> {
    let mut out = Vec::with_capacity(hint + hint / 4 + 16);
    let mut ends = Vec::with_capacity(segs.len());
    out.push(b'[');
    for i in 0..segs.len() {
        if i > 0 {
            out.push(b',');
        }
        write_segment(&mut out, segs.get(i), segs.cut);
        ends.push(u32::try_from(out.len()).ok()?);
    }
    out.push(b']');
    u32::try_from(out.len()).ok()?;
    Some((out, ends))
}

/// `segments` JSON, ends and (when `with_data`) `data` JSON of split segments.
type Rendered = (Vec<u8>, Vec<u32>, Option<Vec<u8>>);

/// Render split segments; None to decline.
fn render(segs: &Segs<'_>, hint: usize, dict: Option<&Dict>, with_data: bool) -> Option<Rendered> {
    let (segments, ends) = segments_json(segs, hint)?;
    let data = if with_data { Some(data::build(dict, segs).ok()?) } else { None };
    Some((segments, ends, data))
}

/// Tags, `segments` JSON, ends and (when `with_data`) `data` JSON; None to decline.
pub fn render_body<'a>(texts: &[&'a str], d: &Delims, dict: Option<&Dict>, with_data: bool) -> Option<Body<'a>> {
    if with_data && dict.is_some_and(|x| !x.supported) {
        return None;
    }
    let hint = texts.iter().map(|t| t.len() + 8).sum();
    if !d.release.is_some_and(|r| texts.iter().any(|t| t.contains(r))) {
        let segs = Segs::split(texts, d);
        let (segments, ends, data) = render(&segs, hint, dict, with_data)?;
        let tags = (0..segs.len()).map(|i| Cow::Borrowed(tag_of(segs.get(i)))).collect();
        return Some(Body { tags, segments, ends, data });
    }
    let rel = Released::new(texts, d)?;
    let pieces = rel.pieces();
    let reps = rel.reps(&pieces);
    let segs = Segs::split_released(texts, d, &rel, &pieces, &reps);
    let (segments, ends, data) = render(&segs, hint, dict, with_data)?;
    let tags = texts
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let tag = tag_of(segs.get(i));
            match t.get(..tag.len()) {
                Some(p) if p == tag => Cow::Borrowed(p), // no escape in it

                _ => Cow::Owned(tag.to_owned()),
            }
        })
        .collect();
    Some(Body { tags, segments, ends, data })
}

#[cfg(test)]
mod tests {
    use super::*;

    const D: Delims = Delims { element: '*', component: ':', repetition: Some('^'), release: None };

    fn js(text: &str, d: &Delims) -> String {
        let mut out = Vec::new();
        let cut = Cut { comp: d.component, rep: d.repetition.unwrap_or(d.component) };
        write_segment(&mut out, &split_segment(text, d), cut);
        String::from_utf8(out).unwrap_or_default()
    }

    #[test]
    fn splits_like_split_segment() {
        assert_eq!(js("", &D), r#"[""]"#);
        assert_eq!(js("REF*A*B", &D), r#"["REF","A","B"]"#);
        assert_eq!(js("N1**A:B*", &D), r#"["N1","",["A","B"],""]"#);
        assert_eq!(js("X*a^b:c*d:e*f", &D), r#"["X",[["a"],["b","c"]],["d","e"],"f"]"#);
        assert_eq!(js("A:B*c:d", &D), r#"["A:B",["c","d"]]"#);
        assert_eq!(js("ISA*:*^*x", &D), r#"["ISA",":","^","x"]"#);
        assert_eq!(js("^", &D), r#"["^"]"#);
        let no_rep = Delims { repetition: None, ..D };
        assert_eq!(js("X*a^b", &no_rep), r#"["X","a^b"]"#);
        let same = Delims { element: '*', component: '*', repetition: None, release: None };
        assert_eq!(js("X*a", &same), r#"["X","a"]"#);
    }

    #[test]
    fn body_offsets_and_declines() {
        let texts = ["ST*850", "BEG*00:1", "SE*2\"x"];
        let b = render_body(&texts, &D, None, true);
        let Some(b) = b else { panic!("declined") };
        assert_eq!(b.tags, vec!["ST", "BEG", "SE"]);
        let s = String::from_utf8(b.segments.clone()).unwrap_or_default();
        assert_eq!(s, r#"[["ST","850"],["BEG",["00","1"]],["SE","2\"x"]]"#);
        let mut start = 1;
        let mut parts = Vec::new();
        for &e in &b.ends {
            parts.push(s.get(start..e as usize).unwrap_or("").to_owned());
            start = e as usize + 1;
        }
        assert_eq!(parts, vec![r#"["ST","850"]"#, r#"["BEG",["00","1"]]"#, r#"["SE","2\"x"]"#]);
        let empty = render_body(&[], &D, None, true);
        assert_eq!(empty.map(|b| (b.segments, b.data)), Some((b"[]".to_vec(), Some(b"{}".to_vec()))));
        let rel = Delims { release: Some('?'), ..D };
        assert!(render_body(&["A*?x"], &rel, None, false).is_some());
        assert!(render_body(&["A*x"], &rel, None, false).is_some());
        // A released text holding one of Python's stand-ins declines; elsewhere it does not.
        for c in ['\0', '\u{e000}', '\u{e008}', '\u{f0000}', '\u{f00ff}'] {
            assert!(is_sentinel(c));
            assert!(render_body(&[&format!("A*?x{c}")], &rel, None, false).is_none(), "{c:?}");
            assert!(render_body(&["B?*", &format!("A*x{c}")], &rel, None, false).is_some());
        }
        assert!(!is_sentinel('\u{e009}') && !is_sentinel('\u{f0100}') && !is_sentinel('\u{efff}'));
    }

    /// One released segment as JSON (`render_body`), with its tag.
    fn rel_js(text: &str, d: &Delims) -> (String, String) {
        let Some(b) = render_body(&[text], d, None, false) else { return ("declined".into(), String::new()) };
        let s = String::from_utf8(b.segments).unwrap_or_default();
        (s.get(1..s.len() - 1).unwrap_or("").to_owned(), b.tags.concat())
    }

    #[test]
    fn splits_released_like_split_released() {
        // Expected: orjson.dumps(split_segment(t, Delimiters("+", ":", "'", "*", "?"))).
        let e = Delims { element: '+', component: ':', repetition: Some('*'), release: Some('?') };
        let cases = [
            ("FTX+AAA+?+1?:2", r#"["FTX","AAA","+1:2"]"#, "FTX"),
            ("A+x?:y:z", r#"["A",["x:y","z"]]"#, "A"),
            ("A+??", r#"["A","?"]"#, "A"),
            ("A+x?", r#"["A","x?"]"#, "A"),
            ("?", r#"["?"]"#, "?"),
            ("A?+B+c", r#"["A+B","c"]"#, "A+B"),
            ("ISA+a:b", r#"["ISA","a:b"]"#, "ISA"),
            ("IS?A+a:b", r#"["ISA",["a","b"]]"#, "ISA"),
            ("ISA?+x:y", r#"["ISA+x:y"]"#, "ISA+x:y"),
            ("A+a*b?*c:d", r#"["A",[["a"],["b*c","d"]]]"#, "A"),
            ("A+?", r#"["A","?"]"#, "A"),
            ("A+x?:", r#"["A","x:"]"#, "A"),
            ("A+?x?y", r#"["A","xy"]"#, "A"),
            ("A+é?😀:€", r#"["A",["é😀","€"]]"#, "A"),
            ("A+???", r#"["A","??"]"#, "A"),
            ("A+?\n", r#"["A","\n"]"#, "A"),
        ];
        for (t, want, tag) in cases {
            assert_eq!(rel_js(t, &e), (want.to_owned(), tag.to_owned()), "{t}");
        }
        // The release character is also a delimiter, or an ordinary letter.
        let plus = Delims { element: '+', component: ':', repetition: None, release: Some('+') };
        assert_eq!(rel_js("A+B++C", &plus).0, r#"["AB+C"]"#);
        assert_eq!(rel_js("A+", &plus).0, r#"["A",""]"#); // trailing: a literal, then a separator
        assert_eq!(rel_js("A:B+:C", &plus).0, r#"["A:B:C"]"#);
        let x = Delims { element: '+', component: ':', repetition: None, release: Some('x') };
        assert_eq!(rel_js("AxB+x:c", &x), (r#"["AB",":c"]"#.to_owned(), "AB".to_owned()));
        assert_eq!(rel_js("xx", &x).0, r#"["x"]"#);
    }

    #[test]
    fn released_body_and_data() {
        // Expected: orjson.dumps of split_segment and build_data(None, ...) in Python.
        let d = Delims { release: Some('?'), ..D };
        let texts = ["ST*850", "R?*F*a?:b:c*x^y?^z", "IS?A*a:b", "N1**A?:B*?", "A?:B*c"];
        let Some(b) = render_body(&texts, &d, None, true) else { panic!("declined") };
        assert_eq!(b.tags, vec!["ST", "R*F", "ISA", "N1", "A:B"]);
        assert!(matches!(b.tags[0], Cow::Borrowed(_)) && matches!(b.tags[1], Cow::Owned(_)));
        assert!(matches!(b.tags[3], Cow::Borrowed(_)));
        let s = String::from_utf8(b.segments).unwrap_or_default();
        let want = r#"[["ST","850"],["R*F",["a:b","c"],[["x"],["y^z"]]],["ISA",["a","b"]],["N1","","A:B","?"],["A:B","c"]]"#;
        assert_eq!(s, want);
        let data = String::from_utf8(b.data.unwrap_or_default()).unwrap_or_default();
        let want = concat!(
            r#"{"ST":[{"element_01":"850"}],"invalid_tag":[{"_tag":"R*F","element_01":{"component_01":"a:b","#,
            r#""component_02":"c"},"element_02":["x","y^z"]}],"ISA":[{"element_01":{"component_01":"a","#,
            r#""component_02":"b"}}],"N1":[{"element_02":"A:B","element_03":"?"}],"#,
            r#""invalid_tag_2":[{"_tag":"A:B","element_01":"c"}]}"#
        );
        assert_eq!(data, want);
        let mut start = 1;
        for (i, &e) in b.ends.iter().enumerate() {
            let one = s.get(start..e as usize).unwrap_or("");
            assert!(one.starts_with('[') && one.ends_with(']'), "{i}: {one}");
            start = e as usize + 1;
        }
    }
}
