//! Fuzz the body writer: any bytes as segment texts (split at '\n'), any delimiters, with
//! and without a small dictionary. It must never panic; when it does not decline, the
//! segments JSON is bracketed and its `ends` fall inside it in order.
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
    let d = Delims { element, component, repetition: (rep != '\0').then_some(rep), release: (flags == 'r').then_some('?') };
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
        }
    }
});
