//! PyO3 bindings: the Python face of `tokenize`, `split` and `body` (module `edi_mesh_core`).
//!
//! No `unsafe` here; a Rust panic becomes a Python exception (PyO3's guard), and the
//! Python caller (`parsers/accel.py`) never lets one reach the user: errors are values.

use std::sync::Arc;

use pyo3::exceptions::PyIndexError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList, PySlice, PyString, PyTuple};

use crate::body::{self, Delims};
use crate::dict::{Child, Dict, ElemSpec, HashMap, HashSet, LoopDef, Qualifier, Render, SegSpec};
use crate::fields;
use crate::hl;
use crate::keys;
use crate::split::{split, Element};
use crate::tokenize::{self, Codec, Kind, Msg, Scan, Syntax};

/// The byte-level syntax of one interchange, built once per Python `Syntax`.
#[pyclass(frozen, module = "edi_mesh_core")]
struct CoreSyntax {
    syn: Arc<Syntax>,
    codec: String,
}

#[pymethods]
impl CoreSyntax {
    /// Build from the fields of Python's `parsers.tokenizer.Syntax`.
    #[new]
    #[allow(clippy::too_many_arguments)]
    #[pyo3(signature = (x12, codec, term, elem, rel, ws, ctrl, crlf_free, strip, elem_str, comp_str))]
    fn new(
        x12: bool,
        codec: String,
        term: Vec<u8>,
        elem: Vec<u8>,
        rel: Option<Vec<u8>>,
        ws: Vec<u8>,
        ctrl: Vec<u8>,
        crlf_free: bool,
        strip: Vec<u8>,
        elem_str: String,
        comp_str: String,
    ) -> PyResult<Self> {
        let c = match codec.as_str() {
            "utf-8" => Codec::Utf8,
            "latin-1" => Codec::Latin1,
            _ => return Err(pyo3::exceptions::PyValueError::new_err(format!("codec {codec} not in the core"))),
        };
        if term.is_empty() || elem.is_empty() {
            return Err(pyo3::exceptions::PyValueError::new_err("empty delimiter"));
        }
        let syn = Syntax {
            x12,
            codec: c,
            term,
            elem,
            rel: rel.and_then(|r| r.first().copied()),
            ws: tokenize::table(&ws),
            ctrl: tokenize::table(&ctrl),
            crlf_free,
            strip,
            elem_str,
            comp_str,
            special: [false; 256],
        }
        .with_special();
        Ok(CoreSyntax { syn: Arc::new(syn), codec })
    }
}

/// A scanned block's segments, shared by the lazy sequences below.
struct Segments {
    syn: Arc<Syntax>,
    buf: Py<PyBytes>,
    scan: Scan,
}

/// Which column of the block a `Seq` shows.
#[derive(Clone, Copy)]
enum Column {
    Starts,
    Tposs,
    Texts,
}

/// A read-only sequence over a block's starts, terminator positions or texts (made on demand).
#[pyclass(frozen, sequence, module = "edi_mesh_core")]
struct Seq {
    seg: Arc<Segments>,
    col: Column,
}

impl Seq {
    fn item<'py>(&self, py: Python<'py>, i: usize) -> PyResult<Bound<'py, PyAny>> {
        let s = &self.seg.scan;
        Ok(match self.col {
            Column::Starts => s.starts[i].into_pyobject(py)?.into_any(),
            Column::Tposs => s.tposs[i].into_pyobject(py)?.into_any(),
            Column::Texts => {
                let buf = self.seg.buf.bind(py).as_bytes();
                let raw = buf.get(s.starts[i]..s.tposs[i]).unwrap_or(&[]);
                match s.kinds[i] {
                    Kind::Ascii => match std::str::from_utf8(raw) {
                        Ok(t) => PyString::new(py, t).into_any(),
                        Err(_) => PyString::new(py, &tokenize::latin1(raw)).into_any(),
                    },
                    kind => PyString::new(py, &tokenize::text_of(&self.seg.syn, raw, kind)).into_any(),
                }
            }
        })
    }
}

#[pymethods]
impl Seq {
    fn __len__(&self) -> usize {
        self.seg.scan.starts.len()
    }

    fn __getitem__<'py>(&self, py: Python<'py>, idx: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        let n = self.seg.scan.starts.len();
        if let Ok(slice) = idx.cast::<PySlice>() {
            let ind = slice.indices(n as isize)?;
            let mut out = Vec::with_capacity(ind.slicelength);
            let mut i = ind.start;
            for _ in 0..ind.slicelength {
                out.push(self.item(py, i as usize)?);
                i += ind.step;
            }
            return Ok(PyList::new(py, out)?.into_any());
        }
        let i: isize = idx.extract()?;
        let j = if i < 0 { i + n as isize } else { i };
        if j < 0 || j as usize >= n {
            return Err(PyIndexError::new_err("index out of range"));
        }
        self.item(py, j as usize)
    }
}

/// Python's message text for a problem (its `repr`s through Python itself).
fn message(py: Python<'_>, codec: &str, msg: &Msg) -> PyResult<String> {
    Ok(match msg {
        Msg::Empty => "empty segment (two terminators in a row) ignored".to_owned(),
        Msg::TagInvalid(t) => format!("invalid segment tag {}", PyString::new(py, t).repr()?),
        Msg::FinalMissing => "last segment has no segment terminator".to_owned(),
        Msg::Latin1 => format!("segment is not valid {codec}; decoded as Latin-1"),
        Msg::Ctrl(c) => {
            let mut b = [0u8; 4];
            format!("control character {} in segment data", PyString::new(py, c.encode_utf8(&mut b)).repr()?)
        }
        Msg::BinNotNumeric(b) => format!("binary length {} is not numeric", PyBytes::new(py, b).repr()?),
        Msg::BinNoTerminator(n) => format!("binary length {n} does not end at a segment terminator"),
        Msg::BdsMissing => "BDS02 length missing".to_owned(),
        Msg::BinTruncated => "binary segment truncated by the end of input".to_owned(),
    })
}

/// Scan `buf[a:b]`: (nseg, end, ascii, first, last, env, probs, starts, tposs, texts).
#[pyfunction]
fn scan<'py>(
    py: Python<'py>,
    syntax: &Bound<'py, CoreSyntax>,
    buf: &Bound<'py, PyBytes>,
    a: usize,
    b: usize,
    eof: bool,
) -> PyResult<Option<Bound<'py, PyTuple>>> {
    let cs = syntax.get();
    let bytes = buf.as_bytes();
    // A panic would be a bug of the core: caught here, it becomes None and Python scans instead.
    let Ok(s) = std::panic::catch_unwind(|| tokenize::scan(&cs.syn, bytes, a, b, eof)) else {
        return Ok(None);
    };
    let env = PyList::empty(py);
    for &(tag, k, st, tp) in &s.env {
        env.append((PyString::intern(py, tag), k, st, tp))?;
    }
    let probs = PyList::empty(py);
    for p in &s.probs {
        let m = message(py, &cs.codec, &p.msg)?;
        probs.append((p.k, p.pos, p.msg.code(), m, p.tag.as_str(), p.element, p.component))?;
    }
    let (nseg, end, ascii) = (s.starts.len(), s.end, s.ascii);
    let (first, last) = (s.starts.first().copied().unwrap_or(0), s.tposs.last().copied().unwrap_or(0));
    let seg = Arc::new(Segments { syn: cs.syn.clone(), buf: buf.clone().unbind(), scan: s });
    let col = |col| Seq { seg: seg.clone(), col };
    let (starts, tposs, texts) = (col(Column::Starts), col(Column::Tposs), col(Column::Texts));
    Ok(Some((nseg, end, ascii, first, last, env, probs, starts, tposs, texts).into_pyobject(py)?))
}

/// Split plain segments: (segments, tags, indexes to re-split), as `split_segments` does.
///
/// `comp` is the component separator when it occurs in the transaction (else None);
/// the third item lists the segments the Python code re-splits for a component
/// separator in the tag or an ISA (its rule: mixed tag types, or an ISA tag).
/// None when a text cannot be read as UTF-8 (a lone surrogate): the caller falls back.
#[pyfunction]
fn split_segments<'py>(
    py: Python<'py>,
    texts: &Bound<'py, PyList>,
    el: &str,
    comp: Option<&str>,
) -> PyResult<Option<Bound<'py, PyTuple>>> {
    let n = texts.len();
    let mut out = Vec::with_capacity(n);
    let mut tags = Vec::with_capacity(n);
    let (mut lists, mut isa) = (Vec::new(), Vec::new());
    for (i, item) in texts.iter().enumerate() {
        let Ok(s) = item.cast::<PyString>() else { return Ok(None) };
        let Ok(text) = s.to_str() else { return Ok(None) };
        let parts = split(text, el, comp);
        match parts.first() {
            Some(Element::Composite(_)) => lists.push(i),
            Some(Element::Simple("ISA")) => isa.push(i),
            _ => {}
        }
        let mut elems = Vec::with_capacity(parts.len());
        for e in parts {
            elems.push(match e {
                Element::Simple(p) => PyString::new(py, p).into_any(),
                Element::Composite(ps) => PyList::new(py, ps)?.into_any(),
            });
        }
        let seg = PyList::new(py, elems)?;
        tags.push(seg.get_item(0)?);
        out.push(seg);
    }
    let mut redo = Vec::new();
    if comp.is_some() && ((!lists.is_empty() && lists.len() < n) || !isa.is_empty()) {
        redo = lists;
        redo.extend(isa);
    }
    Ok(Some((PyList::new(py, out)?, PyList::new(py, tags)?, redo).into_pyobject(py)?))
}

/// Loop nesting read from Python beyond this marks the dictionary unsupported.
const MAX_READ_DEPTH: usize = 64;

/// Reads a Python `parsers.dictionary.Dictionary` into a [`Dict`], sharing the code
/// tables (one Rust copy per Python mapping, by identity).
#[derive(Default)]
struct Reader {
    descriptions: HashMap<usize, Option<Arc<HashMap<String, String>>>>,
    codes: HashMap<usize, Arc<HashSet<String>>>,
    /// False once something is read that `body` does not reproduce (then it declines).
    ok: bool,
}

impl Reader {
    /// `ElementSpec.descriptions` (None when None or empty), shared by identity.
    fn descriptions(&mut self, obj: &Bound<'_, PyAny>) -> PyResult<Option<Arc<HashMap<String, String>>>> {
        let id = obj.as_ptr() as usize;
        if let Some(d) = self.descriptions.get(&id) {
            return Ok(d.clone());
        }
        let d = if obj.is_none() || !obj.is_truthy()? {
            None
        } else {
            let mut map = HashMap::default();
            for item in obj.call_method0("items")?.try_iter()? {
                let (k, v): (String, String) = item?.extract()?;
                map.insert(k, v);
            }
            Some(Arc::new(map))
        };
        self.descriptions.insert(id, d.clone());
        Ok(d)
    }

    /// A qualifier's code set, shared by identity.
    fn codes(&mut self, obj: &Bound<'_, PyAny>) -> PyResult<Arc<HashSet<String>>> {
        let id = obj.as_ptr() as usize;
        if let Some(c) = self.codes.get(&id) {
            return Ok(c.clone());
        }
        let mut set = HashSet::default();
        for item in obj.try_iter()? {
            set.insert(item?.extract::<String>()?);
        }
        let c = Arc::new(set);
        self.codes.insert(id, c.clone());
        Ok(c)
    }

    /// An `ElementSpec` (components included).
    fn element(&mut self, obj: &Bound<'_, PyAny>) -> PyResult<ElemSpec> {
        let render = Render::from_int(obj.getattr("render")?.extract()?).unwrap_or_else(|| {
            self.ok = false;
            Render::Text
        });
        let comps = obj.getattr("components")?;
        let components = if comps.is_none() {
            None
        } else {
            Some(comps.try_iter()?.map(|c| self.element(&c?)).collect::<PyResult<Vec<_>>>()?)
        };
        let key = obj.getattr("key")?.extract::<String>()?;
        Ok(ElemSpec {
            key_json: crate::dict::key_json(&key),
            key: key.into(),
            c507: obj.getattr("ref")?.eq("C507")?,
            render,
            descriptions: self.descriptions(&obj.getattr("descriptions")?)?,
            components,
        })
    }

    /// A `SegmentSpec`.
    fn segment(&mut self, obj: &Bound<'_, PyAny>) -> PyResult<SegSpec> {
        let q = obj.getattr("qualifier")?;
        let qualifier = if q.is_none() {
            None
        } else {
            let (pos, comp, codes): (i64, Bound<'_, PyAny>, Bound<'_, PyAny>) = q.extract()?;
            let pos = usize::try_from(pos).unwrap_or_else(|_| {
                self.ok = false; // Python would index from the end
                0
            });
            Some(Qualifier { pos, comp: comp.is_truthy()?, codes: self.codes(&codes)? })
        };
        let elements = obj.getattr("elements")?.try_iter()?.map(|e| self.element(&e?)).collect::<PyResult<_>>()?;
        Ok(SegSpec {
            tag: obj.getattr("tag")?.extract::<String>()?.into(),
            key: obj.getattr("key")?.extract::<String>()?.into(),
            single: obj.getattr("max")?.eq(1)?,
            elements,
            qualifier,
        })
    }

    /// Non-negative ints (an index or rewind entry); a negative one marks it unsupported.
    fn indexes(&mut self, obj: &Bound<'_, PyAny>) -> PyResult<Vec<usize>> {
        let raw: Vec<i64> = obj.extract()?;
        Ok(raw
            .into_iter()
            .map(|i| {
                usize::try_from(i).unwrap_or_else(|_| {
                    self.ok = false;
                    usize::MAX
                })
            })
            .collect())
    }

    /// A `LoopSpec` (children told apart by a `children` attribute).
    fn loop_def(&mut self, obj: &Bound<'_, PyAny>, depth: usize) -> PyResult<LoopDef> {
        let key: Arc<str> = obj.getattr("key")?.extract::<String>()?.into();
        if depth > MAX_READ_DEPTH {
            self.ok = false;
            return Ok(LoopDef { key, children: Vec::new(), index: HashMap::default(), rewind: Vec::new() });
        }
        let mut children = Vec::new();
        for c in obj.getattr("children")?.try_iter()? {
            let c = c?;
            children.push(if c.hasattr("children")? {
                Child::Loop(self.loop_def(&c, depth + 1)?)
            } else {
                Child::Seg(self.segment(&c)?)
            });
        }
        let mut index = HashMap::default();
        for item in obj.getattr("index")?.call_method0("items")?.try_iter()? {
            let (tag, idx): (String, Bound<'_, PyAny>) = item?.extract()?;
            index.insert(tag, self.indexes(&idx)?);
        }
        let rewind = self.indexes(&obj.getattr("rewind")?)?;
        Ok(LoopDef { key, children, index, rewind })
    }
}

/// A compiled dictionary (`parsers.dictionary.Dictionary`) read once for `render_body`.
#[pyclass(frozen, module = "edi_mesh_core")]
struct CoreDictionary {
    dict: Arc<Dict>,
}

#[pymethods]
impl CoreDictionary {
    /// Read `dictionary`'s `root` tree and `qualified` flag (raises on another object).
    #[new]
    fn new(dictionary: &Bound<'_, PyAny>) -> PyResult<Self> {
        let mut r = Reader { ok: true, ..Reader::default() };
        let root = r.loop_def(&dictionary.getattr("root")?, 0)?;
        let mut dict = Dict::new(root, dictionary.getattr("qualified")?.is_truthy()?);
        dict.supported &= r.ok;
        Ok(CoreDictionary { dict: Arc::new(dict) })
    }

    /// False when `render_body` would decline `data` with this dictionary.
    #[getter]
    fn supported(&self) -> bool {
        self.dict.supported
    }
}

/// The single character of a delimiter; None (decline) for any other length.
fn one_char(s: &str) -> Option<char> {
    let mut it = s.chars();
    let c = it.next()?;
    it.next().is_none().then_some(c)
}

/// The delimiters of `render_body`, or None to decline.
fn delims(element: &str, component: &str, repetition: Option<&str>, release: Option<&str>) -> Option<Delims> {
    let repetition = match repetition {
        None => None,
        Some(r) => Some(one_char(r)?),
    };
    let release = match release {
        None | Some("") => None, // Python tests `if release and ...`
        Some(r) => Some(one_char(r)?),
    };
    Some(Delims { element: one_char(element)?, component: one_char(component)?, repetition, release })
}

/// A tag of at most 7 bytes as one u64 (its bytes, its length in the top byte).
fn pack_tag(t: &str) -> Option<u64> {
    let b = t.as_bytes();
    if b.len() > 7 {
        return None;
    }
    let mut a = [0u8; 8];
    a.get_mut(..b.len())?.copy_from_slice(b);
    a[7] = b.len() as u8;
    Some(u64::from_le_bytes(a))
}

/// Bodies with more segments than this are rendered without the GIL.
const DETACH_SEGMENTS: usize = 2000;

/// `(tags, segments_json, ends, data_json)` of one transaction's segment texts, or None.
///
/// Byte-identical to `orjson.dumps` of Python's `split_segment` results and of
/// `build_data(dictionary, segments)`; None (decline: the caller renders in Python)
/// for a text with a lone surrogate, a text holding the release character and one of
/// `_SENTINELS` (`body::is_sentinel`), a delimiter that is not one character, an
/// unsupported dictionary or a non-ASCII date/time value.
#[pyfunction]
#[allow(clippy::too_many_arguments)]
#[pyo3(signature = (texts, element, component, repetition, release, dictionary, with_data))]
fn render_body<'py>(
    py: Python<'py>,
    texts: &Bound<'py, PyList>,
    element: &Bound<'py, PyString>,
    component: &Bound<'py, PyString>,
    repetition: Option<&Bound<'py, PyString>>,
    release: Option<&Bound<'py, PyString>>,
    dictionary: Option<&Bound<'py, CoreDictionary>>,
    with_data: bool,
) -> PyResult<Option<Bound<'py, PyTuple>>> {
    // A delimiter that is not valid UTF-8 (a lone surrogate) declines like a text.
    let (Ok(el), Ok(comp)) = (element.to_str(), component.to_str()) else { return Ok(None) };
    let (Ok(rep), Ok(rel)) = (repetition.map(|r| r.to_str()).transpose(), release.map(|r| r.to_str()).transpose()) else {
        return Ok(None);
    };
    let Some(d) = delims(el, comp, rep, rel) else { return Ok(None) };
    let mut items = Vec::with_capacity(texts.len());
    for item in texts.iter() {
        let Ok(s) = item.cast_into::<PyString>() else { return Ok(None) };
        items.push(s);
    }
    let mut strs = Vec::with_capacity(items.len());
    for s in &items {
        let Ok(t) = s.to_str() else { return Ok(None) };
        strs.push(t);
    }
    let dict = dictionary.map(|c| c.get().dict.as_ref());
    // A panic would be a bug of the core: caught, it becomes None and Python renders instead.
    let run = || std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| body::render_body(&strs, &d, dict, with_data)));
    // The texts stay alive (`items`) and immutable: a large body runs without the GIL. A
    // small one keeps it: releasing and taking it back costs more than its work would let
    // other threads do.
    let got = if strs.len() > DETACH_SEGMENTS { py.detach(run) } else { run() };
    let Ok(Some(b)) = got else { return Ok(None) };
    // Tags repeat: one (interned) string per distinct tag, found by a linear search over
    // tags packed in a u64 (bytes and length; longer tags are not cached).
    let mut seen: Vec<(u64, Bound<'py, PyString>)> = Vec::with_capacity(32);
    let mut tags = Vec::with_capacity(b.tags.len());
    for t in &b.tags {
        let t: &str = t;
        let key = pack_tag(t);
        let hit = key.and_then(|k| seen.iter().find(|(x, _)| *x == k));
        let s = match hit {
            Some((_, s)) => s.clone(),
            None => {
                let s = PyString::intern(py, t);
                if let Some(k) = key.filter(|_| seen.len() < 64) {
                    seen.push((k, s.clone()));
                }
                s
            }
        };
        tags.push(s);
    }
    let tags = PyList::new(py, tags)?;
    let ends = PyBytes::new_with(py, b.ends.len() * 4, |buf| {
        for (dst, e) in buf.chunks_exact_mut(4).zip(&b.ends) {
            dst.copy_from_slice(&e.to_le_bytes());
        }
        Ok(())
    })?;
    let data = b.data.as_deref().map(|x| PyBytes::new(py, x));
    Ok(Some((tags, PyBytes::new(py, &b.segments), ends, data).into_pyobject(py)?))
}

/// Per position in `positions`, the tuple of `el(split_segment(texts[p]), i)` for each `i` of
/// `indexes` (str or None), or None (decline: Python reads them) for a text with a
/// release character or a lone surrogate, a position out of range, a delimiter that is not
/// one character, or an index 0 (the tag).
#[pyfunction]
#[allow(clippy::too_many_arguments)]
#[pyo3(signature = (texts, positions, indexes, element, component, repetition, release))]
fn element_values<'py>(
    py: Python<'py>,
    texts: &Bound<'py, PyList>,
    positions: Vec<usize>,
    indexes: Vec<usize>,
    element: &str,
    component: &str,
    repetition: Option<&str>,
    release: Option<&str>,
) -> PyResult<Option<Bound<'py, PyList>>> {
    let Some(d) = delims(element, component, repetition, release) else { return Ok(None) };
    if indexes.contains(&0) {
        return Ok(None);
    }
    let out = PyList::empty(py);
    let none = py.None();
    for &p in &positions {
        let Ok(item) = texts.get_item(p) else { return Ok(None) };
        let Ok(s) = item.cast_into::<PyString>() else { return Ok(None) };
        let Ok(text) = s.to_str() else { return Ok(None) };
        if fields::needs_release(text, &d) {
            return Ok(None);
        }
        let mut row = Vec::with_capacity(indexes.len());
        for &i in &indexes {
            row.push(match fields::element(text, i, &d) {
                Some(v) => PyString::new(py, v).into_any(),
                None => none.bind(py).clone(),
            });
        }
        out.append(PyTuple::new(py, row)?)?;
    }
    Ok(Some(out))
}

/// The strings of `texts` at `positions`, or None (decline) for a position out of range,
/// an item that is no str, or a lone surrogate.
fn texts_at<'py>(texts: &Bound<'py, PyList>, positions: &[usize]) -> Option<Vec<Bound<'py, PyString>>> {
    let mut out = Vec::with_capacity(positions.len());
    for &p in positions {
        let s = texts.get_item(p).ok()?.cast_into::<PyString>().ok()?;
        s.to_str().ok()?;
        out.push(s);
    }
    Some(out)
}

/// Per position in `positions`, the tuple of `comp(split_segment(texts[p]), i, j)` for each
/// `(i, j)` of `specs` (str or None; `j == 1` is `el`), release characters read as
/// `split_segment` does; None (decline: Python reads them) for a position out of range, an
/// index 0, a lone surrogate, a released text holding one of `_SENTINELS`, or a delimiter
/// that is not one character.
#[pyfunction]
#[allow(clippy::too_many_arguments)]
#[pyo3(signature = (texts, positions, specs, element, component, repetition, release))]
fn component_values<'py>(
    py: Python<'py>,
    texts: &Bound<'py, PyList>,
    positions: Vec<usize>,
    specs: Vec<(usize, usize)>,
    element: &str,
    component: &str,
    repetition: Option<&str>,
    release: Option<&str>,
) -> PyResult<Option<Bound<'py, PyList>>> {
    let Some(d) = delims(element, component, repetition, release) else { return Ok(None) };
    let Some(items) = texts_at(texts, &positions) else { return Ok(None) };
    let mut rows = Vec::with_capacity(items.len());
    let none = py.None();
    for item in &items {
        let Ok(text) = item.to_str() else { return Ok(None) };
        let mut row = Vec::with_capacity(specs.len());
        for &(i, j) in &specs {
            let Some(v) = fields::component(text, i, j, &d) else { return Ok(None) };
            row.push(match v {
                Some(v) => PyString::new(py, &v).into_any(),
                None => none.bind(py).clone(),
            });
        }
        rows.push(PyTuple::new(py, row)?);
    }
    Ok(Some(PyList::new(py, rows)?))
}

/// `orjson.dumps(parsers.keys.build_hl_tree(...))` of the HL / CPS segments at `starts`
/// (ascending, non-empty), their nodes ending at `body_end`, level names from `levels`
/// (code -> name), nodes deeper than `max_depth` detached; None (decline) as for
/// [`component_values`].
#[pyfunction]
#[allow(clippy::too_many_arguments)]
#[pyo3(signature = (texts, starts, body_end, levels, max_depth, element, component, repetition, release))]
fn hl_tree<'py>(
    py: Python<'py>,
    texts: &Bound<'py, PyList>,
    starts: Vec<usize>,
    body_end: usize,
    levels: &Bound<'py, PyDict>,
    max_depth: usize,
    element: &str,
    component: &str,
    repetition: Option<&str>,
    release: Option<&str>,
) -> PyResult<Option<Bound<'py, PyBytes>>> {
    let Some(d) = delims(element, component, repetition, release) else { return Ok(None) };
    if starts.is_empty() || starts.windows(2).any(|w| w[0] >= w[1]) {
        return Ok(None);
    }
    let Some(items) = texts_at(texts, &starts) else { return Ok(None) };
    let mut values = Vec::with_capacity(items.len());
    for item in &items {
        let Ok(text) = item.to_str() else { return Ok(None) };
        let mut row: [Option<std::borrow::Cow<'_, str>>; 4] = Default::default();
        for (k, v) in row.iter_mut().enumerate() {
            let Some(got) = fields::component(text, k + 1, 1, &d) else { return Ok(None) };
            *v = got;
        }
        values.push(row);
    }
    let rows: Vec<hl::Row<'_>> = values.iter().map(|r| [r[0].as_deref(), r[1].as_deref(), r[2].as_deref(), r[3].as_deref()]).collect();
    let level = |code: &str| -> Option<String> { levels.get_item(code).ok().flatten().and_then(|v| v.extract::<String>().ok()) };
    let json = hl::tree_json(&rows, &starts, body_end, level, max_depth);
    Ok(Some(PyBytes::new(py, &json)))
}

/// `orjson.dumps(parsers.keys.extract_keys(standard, type, segments))` of one transaction's
/// segment texts (`x12`: the standard is X12, else EDIFACT), or None (decline: Python
/// computes them) for a type it does not write (`keys::keys_json`), a text with a lone
/// surrogate, or a delimiter that is not one character.
#[pyfunction]
#[allow(clippy::too_many_arguments)]
#[pyo3(signature = (texts, x12, r#type, element, component, repetition, release))]
fn keys_json<'py>(
    py: Python<'py>,
    texts: &Bound<'py, PyList>,
    x12: bool,
    r#type: &str,
    element: &str,
    component: &str,
    repetition: Option<&str>,
    release: Option<&str>,
) -> PyResult<Option<Bound<'py, PyBytes>>> {
    let Some(d) = delims(element, component, repetition, release) else { return Ok(None) };
    let mut items = Vec::with_capacity(texts.len());
    for item in texts.iter() {
        let Ok(s) = item.cast_into::<PyString>() else { return Ok(None) };
        items.push(s);
    }
    let mut strs = Vec::with_capacity(items.len());
    for s in &items {
        let Ok(t) = s.to_str() else { return Ok(None) };
        strs.push(t);
    }
    // A panic would be a bug of the core: caught, it becomes None and Python computes them.
    let got = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| keys::keys_json(&strs, x12, r#type, d)));
    let Ok(Ok(json)) = got else { return Ok(None) };
    Ok(Some(PyBytes::new(py, &json)))
}

/// The compiled parser core of edi-mesh.
#[pymodule]
fn edi_mesh_core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<CoreSyntax>()?;
    m.add_class::<Seq>()?;
    m.add_function(wrap_pyfunction!(scan, m)?)?;
    m.add_function(wrap_pyfunction!(split_segments, m)?)?;
    m.add_class::<CoreDictionary>()?;
    m.add_function(wrap_pyfunction!(render_body, m)?)?;
    m.add_function(wrap_pyfunction!(element_values, m)?)?;
    m.add_function(wrap_pyfunction!(component_values, m)?)?;
    m.add_function(wrap_pyfunction!(hl_tree, m)?)?;
    m.add_function(wrap_pyfunction!(keys_json, m)?)?;
    m.add("VERSION", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
