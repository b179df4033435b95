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

/// `text.split(sep)`: a plain byte scan for an ASCII separator (the usual case; cutting
/// UTF-8 at an ASCII byte always lands on a char boundary), `str::split` otherwise.
pub fn split_char(text: &str, sep: char) -> CharSplit<'_> {
    if sep.is_ascii() {
        CharSplit::Byte { text, sep: sep as u8, pos: 0, done: false }
    } else {
        CharSplit::Char(text.split(sep))
    }
}

/// `text.contains(c)`, a plain byte scan for an ASCII `c`.
#[inline]
pub fn contains_char(text: &str, c: char) -> bool {
    if c.is_ascii() {
        let b = c as u8;
        text.as_bytes().contains(&b)
    } else {
        text.contains(c)
    }
}

/// The iterator of [`split_char`].
#[derive(Clone, Debug)]
pub enum CharSplit<'a> {
    Byte { text: &'a str, sep: u8, pos: usize, done: bool },
    Char(std::str::Split<'a, char>),
}

impl<'a> Iterator for CharSplit<'a> {
    type Item = &'a str;

    #[inline]
    fn next(&mut self) -> Option<&'a str> {
        match self {
            CharSplit::Char(it) => it.next(),
            CharSplit::Byte { text, sep, pos, done } => {
                if *done {
                    return None;
                }
                let start = *pos;
                let rest = text.as_bytes().get(start..).unwrap_or(&[]);
                match rest.iter().position(|b| b == sep) {
                    Some(k) => {
                        *pos = start + k + 1;
                        Some(text.get(start..start + k).unwrap_or(""))
                    }
                    None => {
                        *done = true;
                        Some(text.get(start..).unwrap_or(""))
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_char_like_str_split() {
        for text in ["", "*", "**", "a", "a*", "*a", "a*b**c*", "é*ü€*", "x€y€€", "€"] {
            for sep in ['*', '€', 'a', 'é'] {
                let want: Vec<&str> = text.split(sep).collect();
                assert_eq!(split_char(text, sep).collect::<Vec<_>>(), want, "{text:?} {sep:?}");
                assert_eq!(contains_char(text, sep), text.contains(sep));
            }
        }
    }

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
