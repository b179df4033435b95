//! Fuzz element splitting: any text, any separators; pieces rejoin to the text.
#![no_main]

use edi_mesh_core::split::{split, Element};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else { return };
    let mut chars = s.chars();
    let (Some(el), Some(comp)) = (chars.next(), chars.next()) else { return };
    let text = chars.as_str();
    let (el, comp) = (el.to_string(), comp.to_string());
    let parts = split(text, &el, Some(&comp));
    let joined: Vec<String> = parts
        .iter()
        .map(|e| match e {
            Element::Simple(p) => (*p).to_owned(),
            Element::Composite(ps) => ps.join(&comp),
        })
        .collect();
    assert_eq!(joined.join(&el), text);
});
