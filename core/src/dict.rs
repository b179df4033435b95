#![forbid(unsafe_code)]
//! A compiled dictionary (`parsers.dictionary`) mirrored in Rust: only what `data` needs.
//!
//! Built once per Python `Dictionary` (see `py.rs`), then checked by [`Dict::new`]:
//! a dictionary outside the shapes `body` reproduces exactly (an index past the
//! children, an empty sub-loop, element keys not ending in their position, ...)
//! is kept but marked unsupported, and `render_body` declines with it.

use std::sync::Arc;

/// The hash maps and sets of the dictionary and `data`: foldhash, randomly seeded per
/// process (keys come from partner input, so a fixed seed would invite collisions),
/// several times faster than std's SipHash on these short keys.
pub type HashMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;
/// See [`HashMap`].
pub type HashSet<K> = std::collections::HashSet<K, foldhash::fast::RandomState>;

/// How `data` renders a simple value (`ElementSpec.render`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Render {
    Text,
    Coded,
    Date,
    Time,
}

impl Render {
    /// From `ElementSpec.render` (0..=3); None for anything else.
    pub fn from_int(r: i64) -> Option<Render> {
        match r {
            0 => Some(Render::Text),
            1 => Some(Render::Coded),
            2 => Some(Render::Date),
            3 => Some(Render::Time),
            _ => None,
        }
    }
}

/// One element (or component) position (`ElementSpec`).
#[derive(Clone, Debug)]
pub struct ElemSpec {
    pub key: Arc<str>,
    /// `key` as written before its value: the JSON string and its colon ([`key_json`]).
    pub key_json: Box<[u8]>,
    /// `ref == "C507"` (the EDIFACT date/time composite).
    pub c507: bool,
    pub render: Render,
    /// Code titles; None when the Python mapping is None or empty.
    pub descriptions: Option<Arc<HashMap<String, String>>>,
    pub components: Option<Vec<ElemSpec>>,
}

/// `"key":` as JSON bytes, computed once per element spec instead of once per value.
pub fn key_json(key: &str) -> Box<[u8]> {
    let mut out = Vec::with_capacity(key.len() + 3);
    crate::json::write_key(&mut out, key);
    out.into_boxed_slice()
}

/// The qualifier telling twins apart: (element position, in first component, codes).
#[derive(Clone, Debug)]
pub struct Qualifier {
    pub pos: usize,
    pub comp: bool,
    pub codes: Arc<HashSet<String>>,
}

/// One segment position of a loop (`SegmentSpec`).
#[derive(Clone, Debug)]
pub struct SegSpec {
    pub tag: Arc<str>,
    pub key: Arc<str>,
    /// `max == 1`: the segment's object is put alone, not in an array.
    pub single: bool,
    pub elements: Vec<ElemSpec>,
    pub qualifier: Option<Qualifier>,
}

/// A loop (or the transaction itself) (`LoopSpec`).
#[derive(Clone, Debug)]
pub struct LoopDef {
    pub key: Arc<str>,
    pub children: Vec<Child>,
    pub index: HashMap<String, Vec<usize>>,
    /// Empty, or one entry per child.
    pub rewind: Vec<usize>,
}

/// A child of a loop.
#[derive(Clone, Debug)]
pub enum Child {
    Seg(SegSpec),
    Loop(LoopDef),
}

impl LoopDef {
    /// The segment that starts the loop (`LoopSpec.first`); None for an empty loop.
    pub fn first(&self) -> Option<&SegSpec> {
        let mut l = self;
        loop {
            match l.children.first()? {
                Child::Seg(s) => return Some(s),
                Child::Loop(inner) => l = inner,
            }
        }
    }
}

/// A whole dictionary (`Dictionary.root`, `Dictionary.qualified`).
#[derive(Clone, Debug)]
pub struct Dict {
    pub root: LoopDef,
    pub qualified: bool,
    /// False when `body` cannot reproduce Python exactly with it (then it declines).
    pub supported: bool,
}

/// Loops nested deeper than this are declined (orjson refuses deep documents).
const MAX_DEPTH: usize = 40;

impl Dict {
    /// A dictionary, checked for the shapes `body` handles.
    pub fn new(root: LoopDef, qualified: bool) -> Dict {
        let supported = loop_ok(&root, 0);
        Dict { root, qualified, supported }
    }
}

/// True when `key` ends in `_NN`, NN being `pos` as Python's `f"{pos:02d}"`.
///
/// Keys of one segment (or composite) then never collide with each other, with the
/// positional `element_NN` / `component_NN` keys past the spec, or with `_elements`.
fn key_at(key: &str, pos: usize) -> bool {
    key.rsplit_once('_').is_some_and(|(_, n)| n == format!("{pos:02}"))
}

/// Element keys end in their position, recursively into components.
fn elements_ok(elements: &[ElemSpec]) -> bool {
    elements.iter().enumerate().all(|(i, e)| {
        key_at(&e.key, i + 1) && e.components.as_deref().is_none_or(elements_ok)
    })
}

/// A loop's indexes, rewinds, sub-loops and segments are within what `body` handles.
fn loop_ok(l: &LoopDef, depth: usize) -> bool {
    let n = l.children.len();
    if depth > MAX_DEPTH || (depth > 0 && n == 0) {
        return false;
    }
    if !(l.rewind.is_empty() || l.rewind.len() == n) {
        return false;
    }
    if l.index.values().flatten().any(|&i| i >= n) {
        return false;
    }
    l.children.iter().all(|c| match c {
        Child::Seg(s) => elements_ok(&s.elements),
        Child::Loop(inner) => loop_ok(inner, depth + 1),
    })
}

/// A small dictionary for tests and fuzzing: `ST`, `REF` twins told apart by a
/// qualifier, an `N1` loop with a nested `LIN` loop, a DTM with a C507 composite,
/// `SE`. Keys, codes and render kinds are like the shipped ones.
pub fn sample() -> Dict {
    let el = |key: &str, render: Render| ElemSpec { key: key.into(), key_json: key_json(key), c507: false, render, descriptions: None, components: None };
    let coded = |key: &str, codes: &[(&str, &str)]| ElemSpec {
        descriptions: Some(Arc::new(codes.iter().map(|(c, d)| (c.to_string(), d.to_string())).collect())),
        ..el(key, Render::Coded)
    };
    let seg = |tag: &str, name: &str, single: bool, elements: Vec<ElemSpec>| SegSpec {
        tag: tag.into(),
        key: format!("{name}_{tag}").into(),
        single,
        elements,
        qualifier: None,
    };
    let qual = |codes: &[&str]| {
        Some(Qualifier { pos: 1, comp: false, codes: Arc::new(codes.iter().map(|c| c.to_string()).collect()) })
    };
    let mut ref1 = seg("REF", "reference", false, vec![coded("qualifier_01", &[("ZZ", "Mutually Defined")]), el("id_02", Render::Text)]);
    ref1.qualifier = qual(&["ZZ"]);
    let mut ref2 = seg("REF", "reference_2", true, vec![coded("qualifier_01", &[("BY", "")]), el("id_02", Render::Text)]);
    ref2.qualifier = qual(&["BY", ""]);
    let c507 = ElemSpec {
        key: "period_01".into(),
        key_json: key_json("period_01"),
        c507: true,
        render: Render::Text,
        descriptions: None,
        components: Some(vec![coded("qualifier_01", &[("137", "Document date")]), el("value_02", Render::Text), el("format_03", Render::Text)]),
    };
    let lin = LoopDef {
        key: "item_LIN_loop".into(),
        children: vec![Child::Seg(seg("LIN", "item", true, vec![el("date_01", Render::Date), el("time_02", Render::Time)])), Child::Seg(seg("DTM", "date", false, vec![c507]))],
        index: [("LIN".to_string(), vec![0]), ("DTM".to_string(), vec![1])].into_iter().collect(),
        rewind: vec![0, 1],
    };
    let n1 = LoopDef {
        key: "party_N1_loop".into(),
        children: vec![Child::Seg(seg("N1", "party", true, vec![coded("entity_01", &[("BY", "Buyer")])])), Child::Seg(ref1.clone()), Child::Loop(lin)],
        index: [("N1".to_string(), vec![0]), ("REF".to_string(), vec![1]), ("LIN".to_string(), vec![2])].into_iter().collect(),
        rewind: vec![],
    };
    let root = LoopDef {
        key: "".into(),
        children: vec![
            Child::Seg(seg("ST", "header", true, vec![el("type_01", Render::Text)])),
            Child::Seg(ref1),
            Child::Seg(ref2),
            Child::Loop(n1),
            Child::Seg(seg("SE", "trailer", true, vec![])),
        ],
        index: [("ST".to_string(), vec![0]), ("REF".to_string(), vec![1, 2]), ("N1".to_string(), vec![3]), ("SE".to_string(), vec![4])].into_iter().collect(),
        rewind: vec![0, 1, 1, 3, 4],
    };
    Dict::new(root, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_end_in_their_position() {
        assert!(key_at("id_01", 1));
        assert!(key_at("a_b_12", 12));
        assert!(key_at("element_101", 101));
        assert!(!key_at("id_1", 1));
        assert!(!key_at("id01", 1));
        assert!(!key_at("id_02", 1));
    }

    #[test]
    fn sample_is_supported() {
        assert!(sample().supported);
        assert_eq!(sample().root.children.get(3).and_then(|c| match c { Child::Loop(l) => l.first(), _ => None }).map(|s| &*s.tag), Some("N1"));
    }

    #[test]
    fn empty_sub_loop_unsupported() {
        let inner = LoopDef { key: "x_1_loop".into(), children: vec![], index: HashMap::default(), rewind: vec![] };
        let root = LoopDef { key: "".into(), children: vec![Child::Loop(inner)], index: HashMap::default(), rewind: vec![] };
        assert!(!Dict::new(root, false).supported);
        let root = LoopDef { key: "".into(), children: vec![], index: HashMap::default(), rewind: vec![] };
        assert!(Dict::new(root, false).supported);
    }
}
