//! Fuzz the keys writer: any bytes as segment texts (split at '\n'), any delimiters (the
//! fourth character is the release character, NUL for none), every type the core reads,
//! both standards. It must never panic; when it does not decline, the output is one UTF-8
//! JSON object.
#![no_main]

use edi_mesh_core::body::Delims;
use edi_mesh_core::keys::keys_json;
use libfuzzer_sys::fuzz_target;

const TYPES: &[&str] = &[
    "850", "860", "855", "865", "810", "856", "837", "835", "820", "834", "270", "271", "276",
    "277", "278", "997", "999", "846", "940", "945", "204", "214", "210", "990", "TA1", "ORDERS",
    "ORDCHG", "ORDRSP", "INVOIC", "DESADV", "CONTRL", "APERAK", "XXX",
];

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else { return };
    let mut chars = s.chars();
    let (Some(element), Some(component), Some(rep), Some(flags)) = (chars.next(), chars.next(), chars.next(), chars.next()) else {
        return;
    };
    let d = Delims { element, component, repetition: (rep != '\0').then_some(rep), release: (flags != '\0').then_some(flags) };
    let texts: Vec<&str> = chars.as_str().split('\n').collect();
    for ty in TYPES {
        for x12 in [true, false] {
            let Ok(out) = keys_json(&texts, x12, ty, d) else { continue };
            assert!(out.first() == Some(&b'{') && out.last() == Some(&b'}'));
            assert!(std::str::from_utf8(&out).is_ok());
        }
    }
});
