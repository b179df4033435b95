#![forbid(unsafe_code)]
//! Element splitting (`parsers/documents.py` `split_segments`, plain segments), in Rust.
//!
//! A segment's text is cut at every element separator, and an element holding the
//! component separator into its components: `str.split` semantics (empty pieces
//! kept). Segments with a repetition or release character, and the anomalies the
//! Python code re-splits (a composite tag, an ISA inside a transaction), are
//! re-done by the caller with `parsers.segments.split_segment`, as in Python.

/// One element: a plain string or its components.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Element<'a> {
    Simple(&'a str),
    Composite(Vec<&'a str>),
}

/// Split one segment's text into elements (and components when `comp` is given).
pub fn split<'a>(text: &'a str, el: &str, comp: Option<&str>) -> Vec<Element<'a>> {
    let comp = comp.filter(|c| !c.is_empty() && text.contains(*c));
    if el.is_empty() {
        // Python's str.split("") raises; the caller never passes an empty separator.
        return vec![Element::Simple(text)];
    }
    text.split(el)
        .map(|p| match comp {
            Some(c) if p.contains(c) => Element::Composite(p.split(c).collect()),
            _ => Element::Simple(p),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_like_python() {
        assert_eq!(split("", "*", None), vec![Element::Simple("")]);
        assert_eq!(
            split("N1**A:B*", "*", Some(":")),
            vec![
                Element::Simple("N1"),
                Element::Simple(""),
                Element::Composite(vec!["A", "B"]),
                Element::Simple("")
            ]
        );
        assert_eq!(split("REF*A:B", "*", None), vec![Element::Simple("REF"), Element::Simple("A:B")]);
        assert_eq!(split("ÄÖ+ü", "+", Some("ü")), vec![Element::Simple("ÄÖ"), Element::Composite(vec!["", ""])]);
    }
}
