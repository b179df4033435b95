//! Fuzz the tokenizer scan: any bytes, any delimiters (from the first bytes), any bounds.
#![no_main]

use edi_mesh_core::tokenize::{scan, table, text_of, Codec, Syntax};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if data.len() < 6 {
        return;
    }
    let (head, buf) = data.split_at(6);
    let pick = |b: u8| if b == 0 { b'~' } else { b };
    let term = vec![pick(head[0])];
    let elem = vec![pick(head[1])];
    let flags = head[5];
    let ws: Vec<u8> = b" \t\r\n".iter().copied().filter(|c| *c != term[0] && *c != elem[0]).collect();
    let ctrl: Vec<u8> = (0u8..32).chain([127]).filter(|c| !b"\t\r\n".contains(c) && *c != term[0] && *c != elem[0]).collect();
    let syn = Syntax {
        x12: flags & 1 == 0,
        codec: if flags & 2 == 0 { Codec::Utf8 } else { Codec::Latin1 },
        term,
        elem,
        rel: if flags & 4 == 0 { None } else { Some(pick(head[2])) },
        ws: table(&ws),
        ctrl: table(&ctrl),
        crlf_free: flags & 8 == 0,
        strip: vec![b'\r', b'\n'],
        elem_str: String::from_utf8_lossy(&[pick(head[1])]).into_owned(),
        comp_str: String::from_utf8_lossy(&[pick(head[3])]).into_owned(),
        special: [false; 256],
    }
    .with_special();
    let a = (head[4] as usize).min(buf.len());
    let b = buf.len().saturating_sub((flags >> 4) as usize).max(a);
    let s = scan(&syn, buf, a, b, flags & 16 == 0);
    assert!(s.end <= buf.len());
    for (i, (&st, &tp)) in s.starts.iter().zip(&s.tposs).enumerate() {
        assert!(st <= tp && tp <= buf.len());
        let _ = text_of(&syn, &buf[st..tp], s.kinds[i]);
    }
    for p in &s.probs {
        assert!(p.pos <= buf.len() + buf.len());
    }
});
