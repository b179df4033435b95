#![forbid(unsafe_code)]
//! Element values read straight from segment texts, for business keys: what
//! `parsers.keys_common.el(parsers.segments.split_segment(text, d), i)` returns, without
//! building the split segment (an 834 has one member per INS: keys read four values each).

use crate::body::Delims;

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

    #[test]
    fn release_needs_python() {
        let rel = Delims { release: Some('?'), ..D };
        assert!(needs_release("REF*A?*B", &rel));
        assert!(!needs_release("REF*A*B", &rel));
        assert!(!needs_release("REF*A?*B", &D));
    }
}
