//! PyO3 bindings: the Python face of `tokenize` and `split` (module `edi_mesh_core`).
//!
//! No `unsafe` here; a Rust panic becomes a Python exception (PyO3's guard), and the
//! Python caller (`parsers/accel.py`) never lets one reach the user: errors are values.

use std::sync::Arc;

use pyo3::exceptions::PyIndexError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyList, PySlice, PyString, PyTuple};

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

/// The compiled parser core of edi-mesh.
#[pymodule]
fn edi_mesh_core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<CoreSyntax>()?;
    m.add_class::<Seq>()?;
    m.add_function(wrap_pyfunction!(scan, m)?)?;
    m.add_function(wrap_pyfunction!(split_segments, m)?)?;
    m.add("VERSION", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
