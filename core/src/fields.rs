#![forbid(unsafe_code)]
//! Element values read straight from segment texts, for business keys: what
//! `parsers.keys_common.el(parsers.segments.split_segment(text, d), i)` returns, without
//! building the split segment (an 834 has one member per INS: keys read four values each).

use std::borrow::Cow;

use crate::body::{is_sentinel, Delims};
use crate::split::split_char;

/// `el(split_segment(text, d), i)` for `i >= 1`: element `i`'s first component (of its
/// first repeat), None when absent or empty. None for the whole text (decline) is the
/// caller's business: a release character in `text` needs Python's masking split.
pub fn element<'a>(text: &'a str, i: usize, d: &Delims) -> Option<&'a str> {
    let mut parts = text.split(d.element);
    let tag = parts.next()?;
    let raw = parts.nth(i.checked_sub(1)?)?;
    // An ISA is never cut further (its ISA11 / ISA16 are delimiters themselves).
    let value = if tag == "ISA" {
        raw
    } else {
        let stop = raw.find(|c: char| c == d.component || Some(c) == d.repetition);
        stop.map_or(raw, |k| &raw[..k])
    };
    (!value.is_empty()).then_some(value)
}

/// `keys_common.comp(split_segment(text, d), i, j)` for `i, j >= 1` (`j == 1` is `el`):
/// component `j` of element `i` (of its first repeat; a simple element is its own
/// component 1), None when absent or empty. A text with the release character is read
/// as `_split_released` splits it (released characters are no separators and come back
/// unescaped); the outer None declines such a text when it also holds one of Python's
/// stand-ins ([`is_sentinel`]), as `render_body` does, and an index 0 (Python would read
/// the tag, or the last component).
pub fn component<'a>(text: &'a str, i: usize, j: usize, d: &Delims) -> Option<Option<Cow<'a, str>>> {
    if i == 0 || j == 0 {
        return None;
    }
    if needs_release(text, d) {
        if text.chars().any(is_sentinel) {
            return None;
        }
        return Some(released_component(text, i, j, d).map(Cow::Owned));
    }
    Some(plain_component(text, i, j, d).map(Cow::Borrowed))
}

/// [`component`] of a text read without release characters.
fn plain_component<'a>(text: &'a str, i: usize, j: usize, d: &Delims) -> Option<&'a str> {
    let mut parts = split_char(text, d.element);
    let tag = parts.next()?;
    let raw = parts.nth(i - 1)?;
    let value = if tag == "ISA" {
        // An ISA is never cut further (its ISA11 / ISA16 are delimiters themselves).
        (j == 1).then_some(raw)?
    } else {
        let rep = d.repetition.filter(|r| raw.contains(*r));
        if let Some(r) = rep {
            split_char(raw, r).next()?.split(d.component).nth(j - 1)?
        } else if raw.contains(d.component) {
            split_char(raw, d.component).nth(j - 1)?
        } else {
            (j == 1).then_some(raw)?
        }
    };
    (!value.is_empty()).then_some(value)
}

/// One character of a text with release characters: a released one is no delimiter.
type Unit = (char, bool);

/// [`component`] of a text holding the release character (no stand-in in it): each
/// released pair (left to right) is one literal character; a trailing release stays as is.
fn released_component(text: &str, i: usize, j: usize, d: &Delims) -> Option<String> {
    let r = d.release?;
    let mut units: Vec<Unit> = Vec::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match (c == r).then(|| chars.next()).flatten() {
            Some(e) => units.push((e, true)),
            None => units.push((c, false)),
        }
    }
    let sep = |c: char| move |u: &Unit| !u.1 && u.0 == c;
    let has = |s: &[Unit], c: char| s.iter().any(sep(c));
    let mut parts = units.split(sep(d.element));
    let tag = parts.next()?;
    let raw = parts.nth(i - 1)?;
    let isa = tag.len() == 3 && tag.iter().all(|u| !u.1) && tag.iter().map(|u| u.0).eq("ISA".chars());
    let value = if isa {
        (j == 1).then_some(raw)?
    } else if let Some(rep) = d.repetition.filter(|c| has(raw, *c)) {
        raw.split(sep(rep)).next()?.split(sep(d.component)).nth(j - 1)?
    } else if has(raw, d.component) {
        raw.split(sep(d.component)).nth(j - 1)?
    } else {
        (j == 1).then_some(raw)?
    };
    (!value.is_empty()).then(|| value.iter().map(|u| u.0).collect())
}

/// True when `text` holds the release character (its values need Python's split).
pub fn needs_release(text: &str, d: &Delims) -> bool {
    d.release.is_some_and(|r| text.contains(r))
}

#[cfg(test)]
mod tests {
    use super::*;

    const D: Delims = Delims { element: '*', component: ':', repetition: Some('^'), release: None };

    #[test]
    fn values_like_el_of_split_segment() {
        let t = "INS*Y*18*030:XN*A^B:C**";
        assert_eq!(element(t, 1, &D), Some("Y"));
        assert_eq!(element(t, 3, &D), Some("030"));
        assert_eq!(element(t, 4, &D), Some("A"));
        assert_eq!(element(t, 5, &D), None); // empty
        assert_eq!(element(t, 7, &D), None); // past the end
        assert_eq!(element(t, 0, &D), None); // the tag is no element
        assert_eq!(element("REF", 1, &D), None);
        assert_eq!(element("REF*:x", 1, &D), None); // an empty first component
        assert_eq!(element("ISA*00:1^2", 1, &D), Some("00:1^2"));
        let no_rep = Delims { repetition: None, ..D };
        assert_eq!(element("N1*A^B", 1, &no_rep), Some("A^B"));
    }

    /// `component` of a text, unwrapped (no decline expected).
    fn c(text: &str, i: usize, j: usize, d: &Delims) -> Option<String> {
        component(text, i, j, d).expect("no decline").map(|v| v.into_owned())
    }

    #[test]
    fn components_like_comp_of_split_segment() {
        let t = "DTM*137:20240101:102*A^B:C*X:Y^Z*";
        assert_eq!(c(t, 1, 1, &D).as_deref(), Some("137"));
        assert_eq!(c(t, 1, 2, &D).as_deref(), Some("20240101"));
        assert_eq!(c(t, 1, 4, &D), None);
        assert_eq!(c(t, 2, 1, &D).as_deref(), Some("A")); // first repeat
        assert_eq!(c(t, 2, 2, &D), None);
        assert_eq!(c(t, 3, 2, &D).as_deref(), Some("Y"));
        assert_eq!(c(t, 4, 1, &D), None);
        assert_eq!(c(t, 9, 1, &D), None);
        assert_eq!(c("N1*AB", 1, 2, &D), None); // a simple element has one component
        assert_eq!(c("ISA*0:1*x", 1, 1, &D).as_deref(), Some("0:1"));
        assert_eq!(c("ISA*0:1*x", 1, 2, &D), None);
        assert!(component("REF*a:b", 0, 1, &D).is_none()); // declined: Python reads the tag
        assert!(component("REF*a:b", 1, 0, &D).is_none());
        for t in ["INS*Y*18*030:XN*A^B:C**", "REF", "REF*:x", "ISA*00:1^2", "N1*A^B"] {
            for i in 1..8 {
                assert_eq!(c(t, i, 1, &D).as_deref(), element(t, i, &D), "{t} {i}");
            }
        }
    }

    #[test]
    fn released_components_like_split_released() {
        let e = Delims { element: '+', component: ':', repetition: Some('*'), release: Some('?') };
        assert_eq!(c("RFF+ON:A?:B?+C", 1, 2, &e).as_deref(), Some("A:B+C"));
        assert_eq!(c("RFF+ON:A?:B?+C", 1, 3, &e), None);
        assert_eq!(c("NAD+BY+?*1*2", 2, 1, &e).as_deref(), Some("*1"));
        assert_eq!(c("NAD+BY+x?", 2, 1, &e).as_deref(), Some("x?")); // trailing release
        assert_eq!(c("NAD+BY+??:", 2, 1, &e).as_deref(), Some("?"));
        assert_eq!(c("NAD+??", 1, 1, &e).as_deref(), Some("?"));
        assert_eq!(c("IS?A+a:b", 1, 1, &e).as_deref(), Some("a")); // a released tag is no ISA
        assert_eq!(c("ISA+a:b?+", 1, 1, &e).as_deref(), Some("a:b+"));
        // The release character is also a delimiter: released first, a trailing one splits.
        let plus = Delims { release: Some('+'), ..e };
        assert_eq!(c("A++B+C+", 1, 1, &plus), None); // ['A+BC', '']
        assert_eq!(c("NAD+BY+??:", 2, 2, &e), None); // ['?', '']
        assert_eq!(c("A+", 1, 1, &plus), None);
        assert!(component("A?+\u{e000}", 1, 1, &e).is_none()); // a stand-in: declined
        assert_eq!(component("A+\u{e000}", 1, 1, &e).flatten().as_deref(), Some("\u{e000}"));
    }

    #[test]
    fn release_needs_python() {
        let rel = Delims { release: Some('?'), ..D };
        assert!(needs_release("REF*A?*B", &rel));
        assert!(!needs_release("REF*A*B", &rel));
        assert!(!needs_release("REF*A?*B", &D));
    }
}
