#![forbid(unsafe_code)]
//! A transaction's body as orjson would write it: `segments` (each text split into
//! elements, `parsers.segments.split_segment`) and, optionally, `data` (`crate::data`).
//!
//! Declines (None) whatever it does not reproduce exactly: a release character in a
//! text (Python's masking path), a delimiter that is not one character, a document
//! over 4 GiB (`ends` are u32), an unsupported dictionary, a date or time value
//! holding non-ASCII characters.

use crate::data;
use crate::dict::Dict;
use crate::json::write_str;
use crate::split::{contains_char, split_char};

/// One element of a split segment (`parsers.model.Element`), its text not yet cut
/// further: components and repetitions are split when written (no allocation here).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum El<'a> {
    /// A plain string.
    S(&'a str),
    /// A composite (`el.split(component)`): the element's text, holding the separator.
    C(&'a str),
    /// A repeated element (`[r.split(component) for r in el.split(repetition)]`).
    R(&'a str),
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
    pub tags: Vec<&'a str>,
    pub segments: Vec<u8>,
    /// Per segment: the offset in `segments` just after its JSON value.
    pub ends: Vec<u32>,
    pub data: Option<Vec<u8>>,
}

/// Append one segment's elements (no release character in it) as `split_segment` splits it.
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
    out.push(b'[');
    for (i, s) in split_char(text, sep).enumerate() {
        if i > 0 {
            out.push(b',');
        }
        write_str(out, s);
    }
    out.push(b']');
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
            El::R(r) => {
                out.push(b'[');
                for (j, one) in split_char(r, cut.rep).enumerate() {
                    if j > 0 {
                        out.push(b',');
                    }
                    write_split(out, one, cut.comp);
                }
                out.push(b']');
            }
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
    /// Split every text.
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

/// Tags, `segments` JSON, ends and (when `with_data`) `data` JSON; None to decline.
pub fn render_body<'a>(texts: &[&'a str], d: &Delims, dict: Option<&Dict>, with_data: bool) -> Option<Body<'a>> {
    if let Some(r) = d.release {
        if texts.iter().any(|t| t.contains(r)) {
            return None;
        }
    }
    if with_data && dict.is_some_and(|x| !x.supported) {
        return None;
    }
    let segs = Segs::split(texts, d);
    let hint = texts.iter().map(|t| t.len() + 8).sum();
    let (segments, ends) = segments_json(&segs, hint)?;
    let data = if with_data { Some(data::build(dict, &segs).ok()?) } else { None };
    let tags = (0..segs.len()).map(|i| tag_of(segs.get(i))).collect();
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
        assert!(render_body(&["A*?x"], &rel, None, false).is_none());
        assert!(render_body(&["A*x"], &rel, None, false).is_some());
    }
}
