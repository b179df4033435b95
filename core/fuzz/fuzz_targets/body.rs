//! Fuzz the body writer: any bytes as segment texts (split at '\n'), any delimiters (the
//! fourth character is the release character, NUL for none: released pairs, lone and
//! trailing release characters, stand-ins), with and without a small dictionary. It must
//! never panic; when it does not decline, the segments JSON is bracketed and its `ends`
//! fall inside it in order; a release character in no text changes nothing.
#![no_main]

use edi_mesh_core::body::{render_body, Delims};
use edi_mesh_core::dict::sample;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else { return };
    let mut chars = s.chars();
    let (Some(element), Some(component), Some(rep), Some(flags)) = (chars.next(), chars.next(), chars.next(), chars.next()) else {
        return;
    };
    let d = Delims { element, component, repetition: (rep != '\0').then_some(rep), release: (flags != '\0').then_some(flags) };
    let unreleased = Delims { release: None, ..d };
    let texts: Vec<&str> = chars.as_str().split('\n').collect();
    let dict = sample();
    for dictionary in [None, Some(&dict)] {
        for with_data in [false, true] {
            let Some(b) = render_body(&texts, &d, dictionary, with_data) else { continue };
            assert_eq!(b.tags.len(), texts.len());
            assert_eq!(b.ends.len(), texts.len());
            assert_eq!(b.segments.first(), Some(&b'['));
            assert_eq!(b.segments.last(), Some(&b']'));
            assert!(b.ends.windows(2).all(|w| w[0] < w[1]));
            assert!(b.ends.last().is_none_or(|&e| e as usize + 1 == b.segments.len()));
            if let Some(j) = &b.data {
                assert!(j.first() == Some(&b'{') && j.last() == Some(&b'}'));
                assert!(std::str::from_utf8(j).is_ok());
            }
            assert_eq!(b.data.is_some(), with_data);
            if !texts.iter().any(|t| t.contains(flags)) {
                let p = render_body(&texts, &unreleased, dictionary, with_data);
                assert_eq!(p.map(|p| (p.tags, p.segments, p.ends, p.data)), Some((b.tags, b.segments, b.ends, b.data)));
            }
        }
    }
});
