#![forbid(unsafe_code)]
//! A compiled dictionary (`parsers.dictionary`) mirrored in Rust: only what `data` needs.
//!
//! Built once per Python `Dictionary` (see `py.rs`), then checked by [`Dict::new`]:
//! a dictionary outside the shapes `body` reproduces exactly (an index past the
//! children, an empty sub-loop, element keys not ending in their position, ...)
//! is kept but marked unsupported, and `render_body` declines with it.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

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
    /// `ref == "C507"` (the EDIFACT date/time composite).
    pub c507: bool,
    pub render: Render,
    /// Code titles; None when the Python mapping is None or empty.
    pub descriptions: Option<Arc<HashMap<String, String>>>,
    pub components: Option<Vec<ElemSpec>>,
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
    fn empty_sub_loop_unsupported() {
        let inner = LoopDef { key: "x_1_loop".into(), children: vec![], index: HashMap::new(), rewind: vec![] };
        let root = LoopDef { key: "".into(), children: vec![Child::Loop(inner)], index: HashMap::new(), rewind: vec![] };
        assert!(!Dict::new(root, false).supported);
        let root = LoopDef { key: "".into(), children: vec![], index: HashMap::new(), rewind: vec![] };
        assert!(Dict::new(root, false).supported);
    }
}
