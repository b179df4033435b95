#![forbid(unsafe_code)]
//! Business keys of a transaction as JSON: `orjson.dumps(parsers.keys.extract_keys(...))`
//! for the common X12 sets and EDIFACT messages, read straight from the segment texts
//! (`crate::fields`). Python's extractors are the reference; a type not listed here, or
//! a text this module does not read exactly, gives `Err(Decline)` and Python computes it.

use std::borrow::Cow;

use crate::body::Delims;
use crate::fields::{component, needs_release};
use crate::json::{write_array, write_key, write_str, write_uint};
use crate::split::split_char;

/// The keys are left to Python.
#[derive(Debug, PartialEq, Eq)]
pub struct Decline;

type R<T> = Result<T, Decline>;
type V<'a> = Option<Cow<'a, str>>;

/// A transaction's segment texts, their tags and delimiters.
pub struct Doc<'a> {
    texts: &'a [&'a str],
    tags: Vec<&'a str>,
    d: Delims,
}

impl<'a> Doc<'a> {
    /// Read the tags; declines a tag holding the release character (Python unescapes it).
    pub fn new(texts: &'a [&'a str], d: Delims) -> R<Self> {
        let mut tags = Vec::with_capacity(texts.len());
        for t in texts {
            let tag = split_char(t, d.element).next().unwrap_or("");
            if needs_release(t, &d) && (d.release == Some(d.element) || d.release.is_some_and(|r| tag.contains(r))) {
                return Err(Decline);
            }
            tags.push(tag);
        }
        Ok(Doc { texts, tags, d })
    }

    /// Indexes of the segments tagged `tag`.
    fn positions(&self, tag: &str) -> Vec<usize> {
        self.tags.iter().enumerate().filter(|(_, t)| **t == tag).map(|(i, _)| i).collect()
    }

    /// Index of the first segment tagged `tag`.
    fn first(&self, tag: &str) -> Option<usize> {
        self.tags.iter().position(|t| *t == tag)
    }

    /// How many segments are tagged `tag`.
    fn count(&self, tag: &str) -> usize {
        self.tags.iter().filter(|t| **t == tag).count()
    }

    /// `comp(segs[p], i, j)` (`j == 1`: `el`).
    fn v(&self, p: usize, i: usize, j: usize) -> R<V<'a>> {
        let text = self.texts.get(p).ok_or(Decline)?;
        component(text, i, j, &self.d).ok_or(Decline)
    }

    /// `el(segs[p], i)` for each `i` of `idx`, per position.
    fn rows(&self, ps: &[usize], idx: &[usize]) -> R<Vec<Vec<V<'a>>>> {
        ps.iter().map(|&p| idx.iter().map(|&i| self.v(p, i, 1)).collect()).collect()
    }

    /// `el` of every segment tagged `tag`, per segment.
    fn column(&self, tag: &str, idx: &[usize]) -> R<Vec<Vec<V<'a>>>> {
        self.rows(&self.positions(tag), idx)
    }

    /// Element `i` of the first `tag` segment.
    fn field(&self, tag: &str, i: usize) -> R<V<'a>> {
        self.first(tag).map_or(Ok(None), |p| self.v(p, i, 1))
    }

    /// `fields(first(tag), spec)` written into `o`.
    fn fields(&self, o: &mut Obj<'_>, tag: &str, spec: &[(&str, usize)]) -> R<()> {
        let p = self.first(tag);
        for &(name, i) in spec {
            let v = p.map_or(Ok(None), |p| self.v(p, i, 1))?;
            o.s(name, v.as_deref());
        }
        Ok(())
    }

    /// Element `k` of the first `tag` segment whose element 1 is `entity` (`_party`).
    fn party(&self, tag: &str, entity: &str, k: usize) -> R<V<'a>> {
        for p in self.positions(tag) {
            if self.v(p, 1, 1)?.as_deref() == Some(entity) {
                return self.v(p, k, 1);
            }
        }
        Ok(None)
    }

    /// Element `k` of every `tag` segment whose element 1 is `q`.
    fn qualified(&self, tag: &str, q: &str, k: usize) -> R<Vec<V<'a>>> {
        let mut out = Vec::new();
        for p in self.positions(tag) {
            if self.v(p, 1, 1)?.as_deref() == Some(q) {
                out.push(self.v(p, k, 1)?);
            }
        }
        Ok(out)
    }
}

/// A JSON object being written (keys in call order).
pub struct Obj<'o> {
    out: &'o mut Vec<u8>,
    empty: bool,
}

impl<'o> Obj<'o> {
    fn new(out: &'o mut Vec<u8>) -> Self {
        out.push(b'{');
        Obj { out, empty: true }
    }

    fn key(&mut self, k: &str) -> &mut Vec<u8> {
        if !self.empty {
            self.out.push(b',');
        }
        self.empty = false;
        write_key(self.out, k);
        self.out
    }

    /// A string or null.
    fn s(&mut self, k: &str, v: Option<&str>) {
        let out = self.key(k);
        match v {
            Some(s) => write_str(out, s),
            None => out.extend_from_slice(b"null"),
        }
    }

    fn n(&mut self, k: &str, n: usize) {
        write_uint(self.key(k), n);
    }

    /// A list of strings.
    fn list(&mut self, k: &str, vs: &[&str]) {
        write_array(self.key(k), vs.iter(), |out, s| write_str(out, s));
    }

    /// A list of objects, each `(names, values)`.
    fn objects(&mut self, k: &str, names: &[&str], rows: &[Vec<V<'_>>]) {
        write_array(self.key(k), rows.iter(), |out, row| {
            let mut o = Obj::new(out);
            for (name, v) in names.iter().zip(row) {
                o.s(name, v.as_deref());
            }
            o.end();
        });
    }

    fn end(self) {
        self.out.push(b'}');
    }
}

/// Non-empty values, in order (`[v for v in values if v]`).
fn present<'v>(vs: &'v [V<'_>]) -> Vec<&'v str> {
    vs.iter().filter_map(|v| v.as_deref()).filter(|s| !s.is_empty()).collect()
}

/// `keys_common.unique`: non-empty values, first occurrence order, duplicates dropped.
fn unique<'v>(vs: &'v [V<'_>]) -> Vec<&'v str> {
    let mut out: Vec<&str> = Vec::new();
    for s in present(vs) {
        if !out.contains(&s) {
            out.push(s);
        }
    }
    out
}

/// Column `k` of rows.
fn col<'r, 'a>(rows: &'r [Vec<V<'a>>], k: usize) -> Vec<V<'a>> {
    rows.iter().map(|r| r.get(k).cloned().flatten()).collect()
}

/// Index of the first of `sorted` greater than `i` (`bisect_right`).
fn after(sorted: &[usize], i: usize) -> usize {
    sorted.partition_point(|&x| x <= i)
}

const BHT: [(&str, usize); 5] =
    [("hierarchy_structure", 1), ("purpose_code", 2), ("reference_id", 3), ("date", 4), ("time", 5)];

/// The sets whose keys are only the fields of their beginning segment (and counts).
fn simple_x12(ty: &str) -> Option<(&'static str, &'static [(&'static str, usize)])> {
    Some(match ty {
        "860" => ("BCH", &[("purpose_code", 1), ("po_type", 2), ("po_number", 3), ("release_number", 4), ("change_sequence", 5), ("po_date", 6)]),
        "855" => ("BAK", &[("purpose_code", 1), ("ack_type", 2), ("po_number", 3), ("po_date", 4), ("release_number", 5), ("seller_order_number", 8), ("ack_date", 9)]),
        "865" => ("BCA", &[("purpose_code", 1), ("ack_type", 2), ("po_number", 3), ("release_number", 4), ("change_sequence", 5), ("po_date", 6)]),
        "940" => ("W05", &[("order_status", 1), ("depositor_order_number", 2), ("po_number", 3)]),
        "945" => ("W06", &[("reporting_code", 1), ("depositor_order_number", 2), ("ship_date", 3), ("shipment_id", 4), ("agent_shipment_id", 5), ("po_number", 6)]),
        "990" => ("B1", &[("scac", 1), ("shipment_id", 2), ("date", 3), ("action_code", 4)]),
        "TA1" => ("TA1", &[("interchange_control", 1), ("date", 2), ("time", 3), ("ack_code", 4), ("note_code", 5)]),
        _ => return None,
    })
}

/// The keys of an X12 set of type `ty` into `o`.
fn x12(t: &Doc<'_>, ty: &str, o: &mut Obj<'_>) -> R<()> {
    if let Some((tag, spec)) = simple_x12(ty) {
        return t.fields(o, tag, spec);
    }
    match ty {
        "850" => {
            t.fields(o, "BEG", &[("purpose_code", 1), ("po_type", 2), ("po_number", 3), ("release_number", 4), ("po_date", 5), ("contract_number", 6)])?;
            o.n("line_count", t.count("PO1"));
            o.s("declared_line_count", t.field("CTT", 1)?.as_deref());
        }
        "810" => {
            t.fields(o, "BIG", &[("invoice_date", 1), ("invoice_number", 2), ("po_date", 3), ("po_number", 4), ("release_number", 5), ("transaction_type", 7)])?;
            o.s("total_amount", t.field("TDS", 1)?.as_deref());
            o.n("line_count", t.count("IT1"));
            o.s("declared_line_count", t.field("CTT", 1)?.as_deref());
        }
        "856" => {
            t.fields(o, "BSN", &[("purpose_code", 1), ("shipment_id", 2), ("shipment_date", 3), ("shipment_time", 4), ("hierarchy_structure", 5)])?;
            o.list("po_numbers", &unique(&col(&t.column("PRF", &[1])?, 0)));
        }
        "837" => x12_837(t, o)?,
        "835" | "820" => x12_payment(t, ty, o)?,
        "834" => x12_834(t, o)?,
        "270" | "271" | "278" | "276" => {
            t.fields(o, "BHT", &BHT)?;
            o.list("trace_numbers", &present(&col(&t.column("TRN", &[2])?, 0)));
            o.list("member_ids", &unique(&t.qualified("NM1", "IL", 9)?));
            if ty == "276" {
                o.list("claim_ids", &unique(&t.qualified("REF", "EJ", 2)?));
                o.list("payer_claim_ids", &unique(&t.qualified("REF", "1K", 2)?));
            }
        }
        "997" => x12_ack(t, "AK5", o)?,
        "999" => x12_ack(t, "IK5", o)?,
        "846" => {
            t.fields(o, "BIA", &[("purpose_code", 1), ("report_type", 2), ("reference_id", 3), ("date", 4)])?;
            o.n("line_count", t.count("LIN"));
        }
        "204" => {
            o.s("purpose_code", t.field("B2A", 1)?.as_deref());
            t.fields(o, "B2", &[("scac", 2), ("shipment_id", 4), ("payment_method", 6)])?;
        }
        "214" => {
            t.fields(o, "B10", &[("reference_id", 1), ("shipment_id", 2), ("scac", 3)])?;
            o.objects("statuses", &["code", "reason", "date", "time"], &t.column("AT7", &[1, 2, 5, 6])?);
        }
        "210" => {
            t.fields(o, "B3", &[("invoice_number", 2), ("shipment_id", 3), ("payment_method", 4), ("invoice_date", 6), ("amount_due", 7), ("delivery_date", 9), ("scac", 11)])?;
            o.list("po_numbers", &unique(&t.qualified("N9", "PO", 2)?));
        }
        _ => return Err(Decline),
    }
    Ok(())
}

/// 837 keys: BHT, the NM1 parties, and each CLM with its enclosing HL's id.
fn x12_837(t: &Doc<'_>, o: &mut Obj<'_>) -> R<()> {
    t.fields(o, "BHT", &[BHT[0], BHT[1], BHT[2], BHT[3], BHT[4], ("claim_type", 6)])?;
    o.s("submitter_name", t.party("NM1", "41", 3)?.as_deref());
    o.s("receiver_name", t.party("NM1", "40", 3)?.as_deref());
    o.s("billing_provider_id", t.party("NM1", "85", 9)?.as_deref());
    let clms = t.positions("CLM");
    let hls = if clms.is_empty() { Vec::new() } else { t.positions("HL") };
    let hl_ids = col(&t.rows(&hls, &[1])?, 0);
    let mut claims = Vec::with_capacity(clms.len());
    for (&i, mut row) in clms.iter().zip(t.rows(&clms, &[1, 2])?) {
        let h = after(&hls, i);
        row.push(if h > 0 { hl_ids.get(h - 1).cloned().flatten() } else { None });
        claims.push(row);
    }
    o.list("claim_ids", &present(&col(&claims, 0)));
    o.n("claim_count", claims.len());
    o.objects("claims", &["id", "amount", "hl"], &claims);
    Ok(())
}

/// 835 / 820 keys: BPR and TRN, then the 835's N1 parties and CLP claims or the 820's RMR.
fn x12_payment(t: &Doc<'_>, ty: &str, o: &mut Obj<'_>) -> R<()> {
    let mut bpr = vec![("handling_code", 1), ("payment_amount", 2), ("credit_debit", 3), ("payment_method", 4), ("payment_date", 16)];
    if ty == "820" {
        bpr.remove(2);
    }
    t.fields(o, "BPR", &bpr)?;
    t.fields(o, "TRN", &[("trace_number", 2), ("payer_id", 3)])?;
    if ty == "820" {
        o.list("remittance_refs", &present(&col(&t.column("RMR", &[2])?, 0)));
        return Ok(());
    }
    o.s("payer_name", t.party("N1", "PR", 2)?.as_deref());
    o.s("payee_name", t.party("N1", "PE", 2)?.as_deref());
    o.s("payee_id", t.party("N1", "PE", 4)?.as_deref());
    let claims = t.column("CLP", &[1, 2, 3, 4, 7])?;
    o.list("claim_ids", &present(&col(&claims, 0)));
    o.list("payer_claim_ids", &present(&col(&claims, 4)));
    o.objects("claims", &["id", "status", "charge", "paid", "payer_claim_id"], &claims);
    Ok(())
}

/// 834 keys: BGN, the N1 sponsor and payer, and each INS member with its REF*0F id.
fn x12_834(t: &Doc<'_>, o: &mut Obj<'_>) -> R<()> {
    t.fields(o, "BGN", &[("purpose_code", 1), ("reference_id", 2), ("date", 3), ("time", 4), ("action_code", 8)])?;
    o.s("sponsor_id", t.party("N1", "P5", 4)?.as_deref());
    o.s("payer_id", t.party("N1", "IN", 4)?.as_deref());
    let starts = t.positions("INS");
    let mut refs = Vec::new();
    for p in t.positions("REF") {
        if t.v(p, 1, 1)?.as_deref() == Some("0F") {
            refs.push(p);
        }
    }
    let ref_ids = col(&t.rows(&refs, &[2])?, 0);
    let mut members = Vec::with_capacity(starts.len());
    for (n, (&i, mut row)) in starts.iter().zip(t.rows(&starts, &[1, 2, 3])?).enumerate() {
        let end = starts.get(n + 1).copied().unwrap_or(t.tags.len());
        let r = after(&refs, i);
        row.push(if refs.get(r).is_some_and(|&x| x < end) { ref_ids.get(r).cloned().flatten() } else { None });
        members.push(row);
    }
    o.list("member_ids", &unique(&col(&members, 3)));
    o.n("member_count", members.len());
    o.objects("members", &["subscriber", "relationship", "maintenance_type", "subscriber_id"], &members);
    Ok(())
}

/// 997 / 999 keys: AK1, AK9 and each AK2 with the code of its AK5 / IK5 (`status`).
fn x12_ack(t: &Doc<'_>, status: &str, o: &mut Obj<'_>) -> R<()> {
    t.fields(o, "AK1", &[("functional_id", 1), ("group_control", 2), ("group_version", 3)])?;
    t.fields(o, "AK9", &[("ack_code", 1), ("sets_included", 2), ("sets_received", 3), ("sets_accepted", 4)])?;
    let starts = t.positions("AK2");
    let statuses = t.positions(status);
    let codes = col(&t.rows(&statuses, &[1])?, 0);
    let mut acks = Vec::with_capacity(starts.len());
    for (n, (&i, mut row)) in starts.iter().zip(t.rows(&starts, &[1, 2])?).enumerate() {
        let end = starts.get(n + 1).copied().unwrap_or(t.tags.len());
        let r = after(&statuses, i);
        row.push(if statuses.get(r).is_some_and(|&x| x < end) { codes.get(r).cloned().flatten() } else { None });
        acks.push(row);
    }
    o.list("set_controls", &present(&col(&acks, 1)));
    o.objects("set_acks", &["type", "control", "code"], &acks);
    Ok(())
}

/// Component `j` of the first `tag`'s C-element 1 whose component 1 is `q` (`_dtm`: 2380).
fn qualified_comp<'a>(t: &Doc<'a>, tag: &str, q: &str, j: usize) -> R<V<'a>> {
    for p in t.positions(tag) {
        if t.v(p, 1, 1)?.as_deref() == Some(q) {
            return t.v(p, 1, j);
        }
    }
    Ok(None)
}

/// `_nad`: NAD02 C082/3039 of the first NAD with one of `qs` (in that order), non-empty.
fn nad<'a>(t: &Doc<'a>, qs: &[&str]) -> R<V<'a>> {
    let rows: Vec<(V<'a>, V<'a>)> = t.positions("NAD").into_iter().map(|p| Ok((t.v(p, 1, 1)?, t.v(p, 2, 1)?))).collect::<R<_>>()?;
    for q in qs {
        for (code, v) in &rows {
            if code.as_deref() == Some(*q) && v.as_deref().is_some_and(|s| !s.is_empty()) {
                return Ok(v.clone());
            }
        }
    }
    Ok(None)
}

/// `_rff`: the RFF C506/1154 values qualified `q`, unique.
fn rff<'a>(t: &Doc<'a>, q: &str) -> R<Vec<V<'a>>> {
    let mut out = Vec::new();
    for p in t.positions("RFF") {
        if t.v(p, 1, 1)?.as_deref() == Some(q) {
            out.push(t.v(p, 1, 2)?);
        }
    }
    Ok(out)
}

/// `_bgm`: document code, number (as `number_key`), message function.
fn bgm(t: &Doc<'_>, number_key: &str, o: &mut Obj<'_>) -> R<()> {
    let p = t.first("BGM");
    for (name, i) in [("document_code", 1), (number_key, 2), ("message_function", 3)] {
        o.s(name, p.map_or(Ok(None), |p| t.v(p, i, 1))?.as_deref());
    }
    Ok(())
}

/// `a or b` of two optional values.
fn or<'a>(a: V<'a>, b: impl FnOnce() -> R<V<'a>>) -> R<V<'a>> {
    if a.as_deref().is_some_and(|s| !s.is_empty()) { Ok(a) } else { b() }
}

/// The keys of an EDIFACT message of type `ty` into `o`.
fn edifact(t: &Doc<'_>, ty: &str, o: &mut Obj<'_>) -> R<()> {
    let dtm = |q: &str| qualified_comp(t, "DTM", q, 2);
    match ty {
        "ORDERS" | "ORDCHG" => {
            bgm(t, "order_number", o)?;
            o.s("order_date", dtm("137")?.as_deref());
            o.s("delivery_date", dtm("2")?.as_deref());
            o.s("buyer_id", nad(t, &["BY"])?.as_deref());
            o.s("supplier_id", nad(t, &["SU"])?.as_deref());
            o.s("delivery_party_id", nad(t, &["DP"])?.as_deref());
            o.n("line_count", t.count("LIN"));
        }
        "ORDRSP" => {
            bgm(t, "response_number", o)?;
            o.s("response_date", dtm("137")?.as_deref());
            o.list("order_numbers", &unique(&rff(t, "ON")?));
            o.s("buyer_id", nad(t, &["BY"])?.as_deref());
            o.s("supplier_id", nad(t, &["SU"])?.as_deref());
        }
        "INVOIC" => {
            bgm(t, "invoice_number", o)?;
            o.s("invoice_date", or(dtm("137")?, || dtm("3"))?.as_deref());
            o.list("order_numbers", &unique(&rff(t, "ON")?));
            o.s("buyer_id", nad(t, &["BY"])?.as_deref());
            o.s("supplier_id", nad(t, &["SU", "SE"])?.as_deref());
            o.s("currency", t.first("CUX").map_or(Ok(None), |p| t.v(p, 1, 2))?.as_deref());
            let mut moa: Vec<(V<'_>, V<'_>)> = Vec::new();
            for p in t.positions("MOA") {
                let q = t.v(p, 1, 1)?;
                if q.as_deref().is_some_and(|q| ["77", "86", "39", "128"].contains(&q)) && !moa.iter().any(|(x, _)| *x == q) {
                    moa.push((q, t.v(p, 1, 2)?));
                }
            }
            let total = ["77", "86", "39", "128"].iter().find_map(|q| {
                moa.iter().find(|(x, _)| x.as_deref() == Some(*q)).and_then(|(_, v)| v.as_deref()).filter(|v| !v.is_empty())
            });
            o.s("total_amount", total);
        }
        "DESADV" => {
            bgm(t, "despatch_number", o)?;
            o.s("despatch_date", or(dtm("137")?, || dtm("11"))?.as_deref());
            o.list("order_numbers", &unique(&rff(t, "ON")?));
            o.s("buyer_id", nad(t, &["BY"])?.as_deref());
            o.s("supplier_id", nad(t, &["SU"])?.as_deref());
            o.s("delivery_party_id", nad(t, &["DP"])?.as_deref());
        }
        "CONTRL" => {
            t.fields(o, "UCI", &[("interchange_ref", 1), ("sender_id", 2), ("recipient_id", 3), ("action_code", 4)])?;
            o.objects("message_acks", &["reference", "type", "action_code", "error_code"], &t.column("UCM", &[1, 2, 3, 4])?);
        }
        "APERAK" => {
            bgm(t, "document_number", o)?;
            o.s("document_date", dtm("137")?.as_deref());
            let refs: Vec<Vec<V<'_>>> = t.positions("RFF").into_iter().map(|p| Ok(vec![t.v(p, 1, 1)?, t.v(p, 1, 2)?])).collect::<R<_>>()?;
            o.objects("references", &["qualifier", "value"], &refs);
            o.list("error_codes", &present(&col(&t.column("ERC", &[1])?, 0)));
        }
        _ if t.first("BGM").is_some() => {
            bgm(t, "document_number", o)?;
            o.s("document_date", dtm("137")?.as_deref());
        }
        _ => return Err(Decline),
    }
    Ok(())
}

/// `orjson.dumps(extract_keys(standard, ty, [split_segment(t, d) for t in texts]))`, or
/// `Err(Decline)` for a type left to Python (the fallback `beginning` keys, 277) or a
/// text read differently (a tag holding the release character, a stand-in).
pub fn keys_json(texts: &[&str], x12_standard: bool, ty: &str, d: Delims) -> R<Vec<u8>> {
    let t = Doc::new(texts, d)?;
    let mut out = Vec::with_capacity(256);
    let mut o = Obj::new(&mut out);
    if x12_standard {
        x12(&t, ty, &mut o)?;
    } else {
        edifact(&t, ty, &mut o)?;
    }
    o.end();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const D: Delims = Delims { element: '*', component: ':', repetition: Some('^'), release: None };

    fn keys(texts: &[&str], x12: bool, ty: &str, d: Delims) -> String {
        String::from_utf8(keys_json(texts, x12, ty, d).expect("no decline")).unwrap()
    }

    #[test]
    fn purchase_order_keys() {
        let t = ["ST*850*1", "BEG*00*SA*PO1**20240101", "PO1*1", "PO1*2", "CTT*2", "SE*6*1"];
        assert_eq!(
            keys(&t, true, "850", D),
            r#"{"purpose_code":"00","po_type":"SA","po_number":"PO1","release_number":null,"po_date":"20240101","contract_number":null,"line_count":2,"declared_line_count":"2"}"#
        );
    }

    #[test]
    fn claims_keep_their_hl() {
        let t = ["ST*837*1", "BHT*0019*00*X", "NM1*41*2*SUB", "HL*1**20*1", "CLM*A*10", "HL*2*1*22*0", "CLM*B", "SE*7*1"];
        let got = keys(&t, true, "837", D);
        assert!(got.contains(r#""submitter_name":"SUB","receiver_name":null"#), "{got}");
        assert!(got.ends_with(r#""claim_ids":["A","B"],"claim_count":2,"claims":[{"id":"A","amount":"10","hl":"1"},{"id":"B","amount":null,"hl":"2"}]}"#), "{got}");
    }

    #[test]
    fn edifact_keys_and_declines() {
        let e = Delims { element: '+', component: ':', repetition: Some('*'), release: Some('?') };
        let t = ["UNH+1+INVOIC:D:96A:UN", "BGM+380+IN?+1+9", "DTM+3:20240101:102", "MOA+86:5", "MOA+77:", "UNT+5+1"];
        assert_eq!(
            keys(&t, false, "INVOIC", e),
            r#"{"document_code":"380","invoice_number":"IN+1","message_function":"9","invoice_date":"20240101","order_numbers":[],"buyer_id":null,"supplier_id":null,"currency":null,"total_amount":"5"}"#
        );
        assert_eq!(keys_json(&["UNH+1", "F?OO+1"], false, "X", e), Err(Decline)); // released tag
        assert_eq!(keys_json(&["ST*999*1", "SE*2*1"], true, "277", D), Err(Decline)); // left to Python
        assert_eq!(keys_json(&["UNH+1", "FOO+1"], false, "X", e), Err(Decline)); // no BGM: beginning
    }
}
