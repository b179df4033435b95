#![forbid(unsafe_code)]
//! `data` (`parsers/data.py` `build_data`, no error collection) written as orjson bytes.
//!
//! Segment objects are written to bytes as soon as they are built (their keys are
//! fixed by the spec); loop objects, whose keys `_put` decides as segments arrive,
//! live in an arena until the end. Python's `parsers/data.py` is the specification:
//! each function here names the one it mirrors.

use std::rc::Rc;

use crate::body::{Cut, El, Segs};
use crate::dict::{Child, Dict, ElemSpec, HashMap, LoopDef, Render, SegSpec};
use crate::json::{write_key, write_str, write_uint};
use crate::split::split_char;

/// A value Python handles in a way not reproduced here (a non-ASCII date or time).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decline;

type R<T> = Result<T, Decline>;

/// The two-digit (or wider) number of `f"{n:02d}"`, as ASCII.
fn two(n: &str) -> Option<u32> {
    n.parse().ok()
}

/// Days in a month of the proleptic Gregorian calendar.
fn days_in(year: u32, month: u32) -> u32 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        _ => 31,
    }
}

/// True for a non-empty all-ASCII-digit text (Python's `isdigit` on ASCII).
fn digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// `_iso_date`: CCYYMMDD or YYMMDD (pivot 50) as `YYYY-MM-DD` when a real date.
pub fn iso_date(raw: &str) -> R<Option<String>> {
    if !raw.is_ascii() {
        return Err(Decline); // Python's isdigit / int accept other digits
    }
    if !digits(raw) || !(raw.len() == 6 || raw.len() == 8) {
        return Ok(None);
    }
    let full = if raw.len() == 6 {
        let yy = two(raw.get(..2).unwrap_or("")).unwrap_or(0);
        format!("{}{raw}", if yy >= 50 { "19" } else { "20" })
    } else {
        raw.to_owned()
    };
    let part = |a: usize, b: usize| two(full.get(a..b).unwrap_or("")).unwrap_or(0);
    let (y, m, d) = (part(0, 4), part(4, 6), part(6, 8));
    if y == 0 || !(1..=12).contains(&m) || d == 0 || d > days_in(y, m) {
        return Ok(None);
    }
    Ok(Some(format!("{}-{}-{}", &full[..4], &full[4..6], &full[6..8])))
}

/// `_iso_time`: HHMM[SS[d..]] as `HH:MM[:SS[.d..]]` when a real time.
pub fn iso_time(raw: &str) -> R<Option<String>> {
    if !raw.is_ascii() {
        return Err(Decline);
    }
    let part = |a: usize, b: usize| two(raw.get(a..b).unwrap_or("")).unwrap_or(99);
    if !digits(raw) || raw.len() < 4 || part(0, 2) > 23 || part(2, 4) > 59 {
        return Ok(None);
    }
    let mut out = format!("{}:{}", &raw[..2], &raw[2..4]);
    if raw.len() >= 6 {
        if part(4, 6) > 59 {
            return Ok(None);
        }
        out.push(':');
        out.push_str(&raw[4..6]);
        if raw.len() > 6 {
            out.push('.');
            out.push_str(&raw[6..]);
        }
    }
    Ok(Some(out))
}

/// `_edifact_iso`: a DTM C507 value in format 102/101/203/204 as ISO 8601.
pub fn edifact_iso(value: &str, fmt: &str) -> R<Option<String>> {
    match fmt {
        "102" | "101" => iso_date(value),
        "203" | "204" => {
            if !value.is_ascii() {
                return Err(Decline);
            }
            if value.len() != 12 && value.len() != 14 {
                return Ok(None);
            }
            let (d, t) = (iso_date(&value[..8])?, iso_time(&value[8..])?);
            Ok(match (d, t) {
                (Some(d), Some(t)) => Some(format!("{d}T{t}")),
                _ => None,
            })
        }
        _ => Ok(None),
    }
}

/// Write `"<prefix>_NN":` for a positional key (`f"{prefix}_{i:02d}"`).
fn write_pos_key(out: &mut Vec<u8>, prefix: &[u8], i: usize) {
    out.push(b'"');
    out.extend_from_slice(prefix);
    if i < 10 {
        out.push(b'0');
    }
    write_uint(out, i);
    out.extend_from_slice(b"\":");
}

/// Write `{"value":raw,"iso":iso}`.
fn write_iso(out: &mut Vec<u8>, raw: &str, iso: &str) {
    out.extend_from_slice(b"{\"value\":");
    write_str(out, raw);
    out.extend_from_slice(b",\"iso\":");
    write_str(out, iso);
    out.push(b'}');
}

/// `_simple`: raw, `{"code", "description"?}` or `{"value", "iso"}`.
fn write_simple(out: &mut Vec<u8>, spec: Option<&ElemSpec>, raw: &str) -> R<()> {
    let Some(spec) = spec.filter(|_| !raw.is_empty()) else {
        write_str(out, raw);
        return Ok(());
    };
    let iso = match spec.render {
        Render::Text => None,
        Render::Coded => {
            out.extend_from_slice(b"{\"code\":");
            write_str(out, raw);
            let desc = spec.descriptions.as_ref().and_then(|d| d.get(raw)).filter(|d| !d.is_empty());
            if let Some(desc) = desc {
                out.extend_from_slice(b",\"description\":");
                write_str(out, desc);
            }
            out.push(b'}');
            return Ok(());
        }
        Render::Date => iso_date(raw)?,
        Render::Time => iso_time(raw)?,
    };
    match iso {
        Some(iso) => write_iso(out, raw, &iso),
        None => write_str(out, raw),
    }
    Ok(())
}

/// `_composite`: an object of named components (empties left out; C507 dates).
fn write_composite(out: &mut Vec<u8>, spec: Option<&ElemSpec>, raw: &[&str]) -> R<()> {
    let comps = spec.and_then(|s| s.components.as_deref()).filter(|c| !c.is_empty());
    let second = raw.get(1).copied().unwrap_or("");
    let iso = match (spec, raw.get(2)) {
        (Some(s), Some(fmt)) if s.c507 && !second.is_empty() => edifact_iso(second, fmt)?,
        _ => None,
    };
    out.push(b'{');
    let mut last = 0;
    for (i, v) in raw.iter().enumerate() {
        if v.is_empty() {
            continue;
        }
        if last > 0 {
            out.push(b',');
        }
        let cs = comps.and_then(|c| c.get(i));
        match cs {
            Some(cs) => out.extend_from_slice(&cs.key_json),
            None => write_pos_key(out, b"component_", i + 1),
        }
        match (&iso, i) {
            (Some(iso), 1) => write_iso(out, v, iso),
            _ => write_simple(out, cs, v)?,
        }
        last = i + 1;
    }
    if last < raw.len() {
        if last > 0 {
            out.push(b',');
        }
        out.extend_from_slice(b"\"_components\":");
        write_uint(out, raw.len());
    }
    out.push(b'}');
    Ok(())
}

/// `_rep_item`: one repetition (a list of components, one for a simple element).
fn write_rep_item(out: &mut Vec<u8>, spec: Option<&ElemSpec>, r: &[&str]) -> R<()> {
    match r {
        [one] if spec.is_none_or(|s| s.components.is_none()) => write_simple(out, spec, one),
        _ => write_composite(out, spec, r),
    }
}

/// Components kept on the stack up to this many (more: a Vec).
const STACK_PARTS: usize = 16;

/// Call `f` with `text.split(sep)` as a slice, without allocating for a short split.
fn with_parts<T>(text: &str, sep: char, f: impl FnOnce(&[&str]) -> T) -> T {
    let mut arr = [""; STACK_PARTS];
    let mut n = 0;
    let mut it = split_char(text, sep);
    for p in it.by_ref() {
        match arr.get_mut(n) {
            Some(slot) => *slot = p,
            None => {
                let mut v: Vec<&str> = arr.to_vec();
                v.push(p);
                v.extend(it);
                return f(&v);
            }
        }
        n += 1;
    }
    f(arr.get(..n).unwrap_or(&[]))
}

/// `_value`: one element (simple, composite object, or an array of repetitions).
fn write_value(out: &mut Vec<u8>, spec: Option<&ElemSpec>, raw: &El<'_>, cut: Cut) -> R<()> {
    match raw {
        El::S(s) if spec.is_some_and(|x| x.components.is_some()) => write_composite(out, spec, &[s]),
        El::S(s) => write_simple(out, spec, s),
        El::C(c) => with_parts(c, cut.comp, |parts| write_composite(out, spec, parts)),
        El::R(reps) => {
            out.push(b'[');
            for (j, r) in split_char(reps, cut.rep).enumerate() {
                if j > 0 {
                    out.push(b',');
                }
                with_parts(r, cut.comp, |parts| write_rep_item(out, spec, parts))?;
            }
            out.push(b']');
            Ok(())
        }
        El::CL(c) => write_composite(out, spec, c),
        El::RL(reps) => {
            out.push(b'[');
            for (j, r) in reps.iter().enumerate() {
                if j > 0 {
                    out.push(b',');
                }
                write_rep_item(out, spec, r)?;
            }
            out.push(b']');
            Ok(())
        }
    }
}

/// `segment_object` (`_bare`'s `{"_tag": tag, **obj}` when `tag` is given).
pub fn write_segment_object(out: &mut Vec<u8>, spec: Option<&SegSpec>, seg: &[El<'_>], tag: Option<&str>, cut: Cut) -> R<()> {
    let elements: &[ElemSpec] = spec.map_or(&[], |s| &s.elements);
    out.push(b'{');
    let mut any = false;
    if let Some(t) = tag {
        out.extend_from_slice(b"\"_tag\":");
        write_str(out, t);
        any = true;
    }
    let mut last = 0;
    for (i, raw) in seg.iter().enumerate().skip(1) {
        if raw.is_empty() {
            continue;
        }
        last = i;
        if any {
            out.push(b',');
        }
        any = true;
        match elements.get(i - 1) {
            None => {
                write_pos_key(out, b"element_", i);
                match raw {
                    El::S(s) => write_str(out, s),
                    _ => write_value(out, None, raw, cut)?,
                }
            }
            Some(es) => {
                out.extend_from_slice(&es.key_json);
                match raw {
                    El::S(s) if es.components.is_none() => write_simple(out, Some(es), s)?,
                    _ => write_value(out, Some(es), raw, cut)?,
                }
            }
        }
    }
    if last + 1 < seg.len() {
        if any {
            out.push(b',');
        }
        out.extend_from_slice(b"\"_elements\":");
        write_uint(out, seg.len() - 1);
    }
    out.push(b'}');
    Ok(())
}

/// `_TAG.fullmatch`: upper-case ASCII letters and digits, at least one letter.
pub fn valid_tag(tag: &str) -> bool {
    let b = tag.as_bytes();
    b.iter().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit()) && b.iter().any(|c| c.is_ascii_uppercase())
}

/// A value placed in a loop object: a written segment object or a loop object.
#[derive(Clone, Copy, Debug)]
enum Item {
    Seg(usize, usize),
    Loop(usize),
}

/// A loop object's value under one key: alone (`single`) or an array, the array's
/// items a chain in [`Links`] (first, last): no Vec per key.
#[derive(Debug)]
enum Slot {
    One(Item),
    Many(usize, usize),
}

/// The arrays' items of all loop objects: (item, index of the next one or [`END`]).
type Links = Vec<(Item, usize)>;

/// The end of a chain in [`Links`].
const END: usize = usize::MAX;

/// Start a chain of one item.
fn link(links: &mut Links, item: Item) -> usize {
    links.push((item, END));
    links.len() - 1
}


/// Objects with more keys than this get a hash index.
const LINEAR: usize = 8;

/// A key of a loop object: borrowed from the dictionary or the input (no allocation),
/// or a made `_n` key. Hashes and compares as its text.
#[derive(Clone, Debug)]
enum Key<'x> {
    B(&'x str),
    O(Rc<str>),
}

impl Key<'_> {
    fn as_str(&self) -> &str {
        match self {
            Key::B(s) => s,
            Key::O(s) => s,
        }
    }
}

impl PartialEq for Key<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for Key<'_> {}

impl std::hash::Hash for Key<'_> {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        self.as_str().hash(h);
    }
}

impl std::borrow::Borrow<str> for Key<'_> {
    fn borrow(&self) -> &str {
        self.as_str()
    }
}

/// A loop object under construction: keys in insertion order (a Python dict).
#[derive(Default, Debug)]
struct Obj<'x> {
    entries: Vec<(Key<'x>, Slot)>,
    map: HashMap<Key<'x>, usize>,
}

impl<'x> Obj<'x> {
    /// The entry index of `key`.
    fn find(&self, key: &str) -> Option<usize> {
        if self.map.is_empty() {
            self.entries.iter().position(|(k, _)| k.as_str() == key)
        } else {
            self.map.get(key).copied()
        }
    }

    /// Add a new key (not present) at the end.
    fn push(&mut self, key: Key<'x>, slot: Slot) {
        self.entries.push((key.clone(), slot));
        let n = self.entries.len();
        if n > LINEAR {
            if self.map.is_empty() {
                self.map = self.entries.iter().enumerate().map(|(i, (k, _))| (k.clone(), i)).collect();
            } else {
                self.map.insert(key, n - 1);
            }
        }
    }
}

/// `_Frame`: one open loop instance (or the bare root) while matching.
struct Frame<'x> {
    def: Option<&'x LoopDef>,
    obj: usize,
    pos: Option<usize>,
    last: Key<'x>,
    base: &'x str,
    next: HashMap<&'x str, usize>,
}

impl<'x> Frame<'x> {
    fn new(def: Option<&'x LoopDef>, obj: usize) -> Self {
        Frame { def, obj, pos: None, last: Key::B(""), base: "", next: HashMap::default() }
    }
}

/// `_suffixed`: `key` made unique with `_n` (before `_loop` for a loop key).
pub fn suffixed(key: &str, n: usize) -> String {
    match key.strip_suffix("_loop") {
        Some(stem) => format!("{stem}_{n}_loop"),
        None => format!("{key}_{n}"),
    }
}

/// `_put`: add `item` under `key`, keeping input order (a fresh `_n` key if needed).
fn put<'x>(objs: &mut [Obj<'x>], links: &mut Links, frame: &mut Frame<'x>, key: &'x str, item: Item, single: bool) -> R<()> {
    let obj = objs.get_mut(frame.obj).ok_or(Decline)?;
    // Only a repeat of the frame's last key can already be present; the other two are new.
    let (key, at) = if key == frame.base {
        let at = obj.find(frame.last.as_str());
        (frame.last.clone(), at)
    } else if obj.find(key).is_some() {
        let mut n = frame.next.get(key).copied().unwrap_or(2);
        let mut s = suffixed(key, n);
        while obj.find(&s).is_some() {
            n += 1;
            s = suffixed(key, n);
        }
        frame.base = key;
        frame.next.insert(key, n + 1);
        (Key::O(Rc::from(s)), None)
    } else {
        frame.base = key;
        (Key::B(key), None)
    };
    match at {
        None => {
            let slot = if single {
                Slot::One(item)
            } else {
                let k = link(links, item);
                Slot::Many(k, k)
            };
            obj.push(key.clone(), slot);
        }
        Some(j) => {
            let slot = &mut obj.entries.get_mut(j).ok_or(Decline)?.1;
            let k = link(links, item);
            match slot {
                Slot::Many(_, last) => {
                    links.get_mut(*last).ok_or(Decline)?.1 = k;
                    *last = k;
                }
                Slot::One(cur) => {
                    let first = links.len();
                    links.push((*cur, k));
                    *slot = Slot::Many(first, k);
                }
            }
        }
    }
    frame.last = key;
    Ok(())
}

/// `_qual_ok`: the segment's qualifier element (or component) holds one of the codes.
fn qual_ok(spec: &SegSpec, seg: &[El<'_>], cut: Cut) -> bool {
    let Some(q) = &spec.qualifier else { return true };
    let v = match seg.get(q.pos) {
        None => return false,
        Some(El::S(s)) => *s,
        Some(El::C(c)) if q.comp => split_char(c, cut.comp).next().unwrap_or(""),
        Some(El::CL(c)) if q.comp => c.first().copied().unwrap_or(""),
        Some(El::R(_) | El::RL(_)) if q.comp => "",
        Some(_) => return false,
    };
    q.codes.contains(v)
}

/// The segment spec a child starts with (itself, or a loop's `first`).
fn first_of(c: &Child) -> Option<&SegSpec> {
    match c {
        Child::Seg(s) => Some(s),
        Child::Loop(l) => l.first(),
    }
}

/// `Matcher` (errors=None): places segments in loops, writing their objects.
struct Matcher<'d> {
    qualified: bool,
    cut: Cut,
    objs: Vec<Obj<'d>>,
    links: Links,
    stack: Vec<Frame<'d>>,
    /// `add`'s index entries per frame (kept for its allocation).
    memo: Vec<Option<Option<&'d [usize]>>>,
    buf: Vec<u8>,
}

impl<'d> Matcher<'d> {
    fn new(root: Option<&'d LoopDef>, qualified: bool, cut: Cut, hint: usize) -> Self {
        Matcher {
            qualified,
            cut,
            objs: vec![Obj::default()],
            links: Vec::with_capacity(hint / 64),
            memo: Vec::new(),
            stack: vec![Frame::new(root, 0)],
            buf: Vec::with_capacity(hint),
        }
    }

    /// The children of the frame's loop that `tag` may start (its index entry).
    fn cands(frame: &Frame<'d>, tag: &str) -> Option<&'d [usize]> {
        frame.def?.index.get(tag).map(Vec::as_slice)
    }

    /// `Matcher._find`: the first child at or after the frame's position taking the segment,
    /// among `cands` (the frame's index entry for the segment's tag).
    fn find(frame: &Frame<'d>, cands: &[usize], seg: &[El<'_>], exact: bool, cut: Cut) -> Option<usize> {
        let l = frame.def?;
        let start = match frame.pos {
            None => 0,
            Some(p) if l.rewind.is_empty() => p.max(1),
            Some(p) => (*l.rewind.get(p)?).max(1),
        };
        cands.iter().copied().find(|&i| {
            i >= start && (!exact || l.children.get(i).and_then(first_of).is_some_and(|c| qual_ok(c, seg, cut)))
        })
    }

    /// `Matcher.add`: place one segment.
    fn add(&mut self, seg: &[El<'_>], tag: &'d str) -> R<()> {
        if !self.qualified {
            let top = self.stack.last().ok_or(Decline)?;
            if let Some(i) = Self::cands(top, tag).and_then(|c| Self::find(top, c, seg, false, self.cut)) {
                return self.enter(i, seg);
            }
        }
        // Each frame's index entry is looked up once, on first use, for both passes.
        let mut memo = std::mem::take(&mut self.memo);
        memo.clear();
        memo.resize(self.stack.len(), None);
        let passes: &[bool] = if self.qualified { &[true, false] } else { &[false] };
        let mut found = None;
        'passes: for &exact in passes {
            for depth in (0..self.stack.len()).rev() {
                let frame = self.stack.get(depth).ok_or(Decline)?;
                let slot = memo.get_mut(depth).ok_or(Decline)?;
                let cands = *slot.get_or_insert_with(|| Self::cands(frame, tag));
                if let Some(i) = cands.and_then(|c| Self::find(frame, c, seg, exact, self.cut)) {
                    found = Some((depth, i));
                    break 'passes;
                }
            }
        }
        self.memo = memo;
        match found {
            Some((depth, i)) => {
                self.stack.truncate(depth + 1);
                self.enter(i, seg)
            }
            None => self.unexpected(seg, tag),
        }
    }

    /// Write a segment object into the buffer: its byte range.
    fn write(&mut self, spec: Option<&SegSpec>, seg: &[El<'_>], tag: Option<&str>) -> R<Item> {
        let start = self.buf.len();
        write_segment_object(&mut self.buf, spec, seg, tag, self.cut)?;
        Ok(Item::Seg(start, self.buf.len()))
    }

    /// `Matcher._enter`: the segment at child `i` of the top frame (entering loops).
    fn enter(&mut self, mut i: usize, seg: &[El<'_>]) -> R<()> {
        loop {
            let def = self.stack.last().and_then(|f| f.def).ok_or(Decline)?;
            let child = def.children.get(i).ok_or(Decline)?;
            if let Some(f) = self.stack.last_mut() {
                f.pos = Some(i);
            }
            match child {
                Child::Seg(s) => {
                    let item = self.write(Some(s), seg, None)?;
                    let frame = self.stack.last_mut().ok_or(Decline)?;
                    return put(&mut self.objs, &mut self.links, frame, &s.key, item, s.single);
                }
                Child::Loop(l) => {
                    let id = self.objs.len();
                    self.objs.push(Obj::default());
                    let frame = self.stack.last_mut().ok_or(Decline)?;
                    put(&mut self.objs, &mut self.links, frame, &l.key, Item::Loop(id), false)?;
                    self.stack.push(Frame::new(Some(l), id));
                    i = 0;
                }
            }
        }
    }

    /// `Matcher._unexpected` / `_bare`: under its tag (or `invalid_tag`), in input order.
    fn unexpected(&mut self, seg: &[El<'_>], tag: &'d str) -> R<()> {
        let ok = valid_tag(tag);
        let item = self.write(None, seg, if ok { None } else { Some(tag) })?;
        let frame = self.stack.last_mut().ok_or(Decline)?;
        put(&mut self.objs, &mut self.links, frame, if ok { tag } else { "invalid_tag" }, item, false)
    }

    /// The tree as JSON (`finish` then `orjson.dumps`).
    fn finish(self) -> R<Vec<u8>> {
        let mut out = Vec::with_capacity(self.buf.len() + self.buf.len() / 8 + 16);
        write_obj(&mut out, &self.objs, &self.links, &self.buf, 0)?;
        Ok(out)
    }
}

/// Write one placed item.
fn write_item(out: &mut Vec<u8>, objs: &[Obj<'_>], links: &Links, buf: &[u8], item: Item, parent: usize) -> R<()> {
    match item {
        Item::Seg(a, b) => out.extend_from_slice(buf.get(a..b).ok_or(Decline)?),
        // A loop object is always made after its parent: ids grow inward, so this ends.
        Item::Loop(id) if id > parent => write_obj(out, objs, links, buf, id)?,
        Item::Loop(_) => return Err(Decline),
    }
    Ok(())
}

/// Write loop object `id` (recursion depth is the dictionary's loop depth, checked).
fn write_obj(out: &mut Vec<u8>, objs: &[Obj<'_>], links: &Links, buf: &[u8], id: usize) -> R<()> {
    let obj = objs.get(id).ok_or(Decline)?;
    out.push(b'{');
    for (n, (key, slot)) in obj.entries.iter().enumerate() {
        if n > 0 {
            out.push(b',');
        }
        write_key(out, key.as_str());
        match slot {
            Slot::One(item) => write_item(out, objs, links, buf, *item, id)?,
            Slot::Many(first, _) => {
                out.push(b'[');
                let mut k = *first;
                while k != END {
                    let &(item, next) = links.get(k).ok_or(Decline)?;
                    if k != *first {
                        out.push(b',');
                    }
                    write_item(out, objs, links, buf, item, id)?;
                    k = next;
                }
                out.push(b']');
            }
        }
    }
    out.push(b'}');
    Ok(())
}

/// `build_data(dictionary, segments)` as orjson bytes (positional when no dictionary).
pub fn build<'x>(dict: Option<&'x Dict>, segs: &Segs<'x>) -> R<Vec<u8>> {
    let hint = segs.len() * 64;
    let mut m = Matcher::new(dict.map(|d| &d.root), dict.is_some_and(|d| d.qualified), segs.cut, hint);
    for i in 0..segs.len() {
        let seg = segs.get(i);
        let tag = match seg.first() {
            Some(El::S(t)) => *t,
            _ => return Err(Decline),
        };
        if dict.is_some() {
            m.add(seg, tag)?;
        } else {
            m.unexpected(seg, tag)?;
        }
    }
    m.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::body::Delims;

    const D: Delims = Delims { element: '*', component: ':', repetition: Some('^'), release: None };

    #[test]
    fn dates_and_times_like_python() {
        let cases = [
            ("000101", Some("2000-01-01"), Some("00:01:01")),
            ("991231", Some("1999-12-31"), None),
            ("500229", None, None),
            ("20000229", Some("2000-02-29"), Some("20:00:02.29")),
            ("19000229", None, Some("19:00:02.29")),
            ("00000101", None, Some("00:00:01.01")),
            ("20231301", None, Some("20:23:13.01")),
            ("2023123", None, Some("20:23:12.3")),
            ("240229", Some("2024-02-29"), None),
            ("0000", None, Some("00:00")),
            ("2400", None, None),
            ("235960", None, None),
            ("23595", None, Some("23:59")),
            ("2359599", None, Some("23:59:59.9")),
            ("12a4", None, None),
            ("", None, None),
        ];
        for (raw, d, t) in cases {
            assert_eq!(iso_date(raw), Ok(d.map(String::from)), "date {raw}");
            assert_eq!(iso_time(raw), Ok(t.map(String::from)), "time {raw}");
        }
        assert_eq!(iso_date("٢٠٢٤٠١٠١"), Err(Decline));
        assert_eq!(iso_time("1²00"), Err(Decline));
        assert_eq!(edifact_iso("202401011230", "203"), Ok(Some("2024-01-01T12:30".into())));
        assert_eq!(edifact_iso("20240101123061", "204"), Ok(None));
        assert_eq!(edifact_iso("240101", "101"), Ok(Some("2024-01-01".into())));
        assert_eq!(edifact_iso("é", "999"), Ok(None));
    }

    #[test]
    fn suffixes_keys_like_put() {
        assert_eq!(suffixed("a_N1_loop", 2), "a_N1_2_loop");
        assert_eq!(suffixed("REF", 12), "REF_12");
        let texts = ["A", "B", "A", "A", "B", "A_2", "A", "a*x**p:", "N1**1^:2*"];
        let segs = Segs::split(&texts, &D);
        let got = build(None, &segs).map(|b| String::from_utf8(b).unwrap_or_default());
        let want = concat!(
            r#"{"A":[{}],"B":[{}],"A_2":[{},{}],"B_2":[{}],"invalid_tag":[{"_tag":"A_2"}],"A_3":[{}],"#,
            r#""invalid_tag_2":[{"_tag":"a","element_01":"x","element_03":{"component_01":"p","_components":2}}],"#,
            r#""N1":[{"element_02":["1",{"component_02":"2"}],"_elements":3}]}"#
        );
        assert_eq!(got, Ok(want.to_owned()));
    }

    #[test]
    fn many_keys_use_the_index() {
        let texts: Vec<String> = (0..40).map(|i| format!("T{}", i % 13)).collect();
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        let segs = Segs::split(&refs, &D);
        let got = build(None, &segs).map(|b| String::from_utf8(b).unwrap_or_default()).unwrap_or_default();
        assert!(got.starts_with(r#"{"T0":[{}],"T1":[{}],"#), "{got}");
        assert!(got.contains(r#""T0_2":[{}]"#) && got.contains(r#""T0_4":[{}]"#) && !got.contains("T0_5"));
    }

    #[test]
    fn matches_python_with_the_sample_dictionary() {
        // Expected: orjson.dumps(build_data(D, segs)) of the same dictionary built in Python.
        let texts = ["ST*850", "REF*BY*1", "REF*ZZ*2", "REF*ZZ*3", "REF*BY*4", "N1*BY", "REF*ZZ*5", "LIN*20240229*1230",
            "DTM*137:20240101:102", "DTM*137:x", "LIN*991301*2460", "N1*XX", "LIN", "REF*QQ", "X*1", "N1", "SE*9"];
        let segs = Segs::split(&texts, &D);
        let dict = crate::dict::sample();
        let got = build(Some(&dict), &segs).map(|b| String::from_utf8(b).unwrap_or_default());
        let want = r#"{"header_ST":{"type_01":"850"},"reference_2_REF":{"qualifier_01":{"code":"BY"},"id_02":"1"},"reference_REF":[{"qualifier_01":{"code":"ZZ","description":"Mutually Defined"},"id_02":"2"},{"qualifier_01":{"code":"ZZ","description":"Mutually Defined"},"id_02":"3"}],"reference_2_REF_2":{"qualifier_01":{"code":"BY"},"id_02":"4"},"party_N1_loop":[{"party_N1":{"entity_01":{"code":"BY","description":"Buyer"}},"reference_REF":[{"qualifier_01":{"code":"ZZ","description":"Mutually Defined"},"id_02":"5"}],"item_LIN_loop":[{"item_LIN":{"date_01":{"value":"20240229","iso":"2024-02-29"},"time_02":{"value":"1230","iso":"12:30"}},"date_DTM":[{"period_01":{"qualifier_01":{"code":"137","description":"Document date"},"value_02":{"value":"20240101","iso":"2024-01-01"},"format_03":"102"}},{"period_01":{"qualifier_01":{"code":"137","description":"Document date"},"value_02":"x"}}]},{"item_LIN":{"date_01":"991301","time_02":"2460"}}]},{"party_N1":{"entity_01":{"code":"XX"}},"item_LIN_loop":[{"item_LIN":{},"REF":[{"element_01":"QQ"}],"X":[{"element_01":"1"}]}]},{"party_N1":{}}],"trailer_SE":{"element_01":"9"}}"#;
        assert_eq!(got, Ok(want.to_owned()));
    }

    #[test]
    fn tags() {
        assert!(valid_tag("N1") && valid_tag("A") && valid_tag("1A"));
        assert!(!valid_tag("") && !valid_tag("12") && !valid_tag("a") && !valid_tag("A_") && !valid_tag("Ä"));
    }
}
