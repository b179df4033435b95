#![forbid(unsafe_code)]
//! The HL (X12) / CPS (EDIFACT) hierarchy of a transaction as JSON: what `orjson.dumps`
//! writes for `parsers.keys.build_hl_tree`, from each HL's first four values (HL01-04,
//! read by `crate::fields`). Python's function is the reference; this one only saves
//! building and encoding its dicts per document.

use crate::dict::HashMap;
use crate::json::{write_array, write_key, write_str, write_uint};

/// One HL / CPS segment's values: id (01), parent (02), level code (03), child code (04).
pub type Row<'a> = [Option<&'a str>; 4];

/// A node of the tree: its row, its `[start, end)` segments and its children (indexes).
struct Node<'a> {
    row: &'a Row<'a>,
    level: Option<String>,
    segments: (usize, usize),
    children: Vec<usize>,
}

/// A node kept as a root although it has a parent: its index, parent and why.
struct Orphan<'a> {
    node: usize,
    parent: &'a str,
    reason: &'static str,
}

/// Append an optional string (None as `null`).
fn write_opt(out: &mut Vec<u8>, v: Option<&str>) {
    match v {
        Some(s) => write_str(out, s),
        None => out.extend_from_slice(b"null"),
    }
}

/// Append node `i` and its subtree (depth bounded by the caller's `max_depth`).
fn write_node(out: &mut Vec<u8>, nodes: &[Node<'_>], i: usize) {
    let Some(n) = nodes.get(i) else { return };
    out.push(b'{');
    write_key(out, "id");
    write_str(out, n.row[0].unwrap_or(""));
    out.push(b',');
    write_key(out, "parent");
    write_opt(out, n.row[1]);
    out.push(b',');
    write_key(out, "level_code");
    write_opt(out, n.row[2]);
    out.push(b',');
    write_key(out, "level");
    write_opt(out, n.level.as_deref());
    out.push(b',');
    write_key(out, "child_code");
    write_opt(out, n.row[3]);
    out.push(b',');
    write_key(out, "segments");
    write_array(out, [n.segments.0, n.segments.1], write_uint);
    out.push(b',');
    write_key(out, "children");
    write_array(out, n.children.iter(), |out, &c| write_node(out, nodes, c));
    out.push(b'}');
}

/// `orjson.dumps(build_hl_tree(...))` for the HL / CPS segments at `starts` (ascending,
/// non-empty) with values `rows`; `body_end` is where the last node's segments end
/// (the trailer's index, or the segment count); `level` names a level code; nodes
/// deeper than `max_depth` are detached to the roots.
pub fn tree_json(
    rows: &[Row<'_>],
    starts: &[usize],
    body_end: usize,
    level: impl Fn(&str) -> Option<String>,
    max_depth: usize,
) -> Vec<u8> {
    let mut nodes: Vec<Node<'_>> = Vec::with_capacity(rows.len());
    let mut by_id: HashMap<&str, (usize, usize)> = HashMap::default();
    let mut roots = Vec::new();
    let mut orphans: Vec<Orphan<'_>> = Vec::new();
    let mut duplicates: Vec<&str> = Vec::new();
    for (k, (row, &i)) in rows.iter().zip(starts).enumerate() {
        let end = starts.get(k + 1).copied().unwrap_or(body_end);
        let hid = row[0].unwrap_or("");
        let lvl = row[2].and_then(&level);
        nodes.push(Node { row, level: lvl, segments: (i, end.max(i + 1)), children: Vec::new() });
        let mut depth = 1;
        match row[1] {
            None => roots.push(k),
            Some(parent) => {
                let found = by_id.get(parent).copied();
                let reason = match found {
                    _ if parent == hid => Some("self parent"),
                    None => Some("unknown parent"),
                    Some((_, d)) if d >= max_depth => Some("too deep"),
                    Some((p, d)) => {
                        if let Some(n) = nodes.get_mut(p) {
                            n.children.push(k);
                        }
                        depth = d + 1;
                        None
                    }
                };
                if let Some(reason) = reason {
                    roots.push(k);
                    orphans.push(Orphan { node: k, parent, reason });
                }
            }
        }
        if !hid.is_empty() && by_id.insert(hid, (k, depth)).is_some() {
            duplicates.push(hid);
        }
    }
    let mut out = Vec::with_capacity(64 + rows.len() * 128);
    out.push(b'{');
    write_key(&mut out, "count");
    write_uint(&mut out, rows.len());
    out.push(b',');
    write_key(&mut out, "roots");
    write_array(&mut out, roots.iter(), |out, &r| write_node(out, &nodes, r));
    out.push(b',');
    write_key(&mut out, "orphans");
    write_array(&mut out, orphans.iter(), |out, o| {
        out.push(b'{');
        write_key(out, "id");
        write_str(out, nodes.get(o.node).and_then(|n| n.row[0]).unwrap_or(""));
        out.push(b',');
        write_key(out, "parent");
        write_str(out, o.parent);
        out.push(b',');
        write_key(out, "reason");
        write_str(out, o.reason);
        out.push(b',');
        write_key(out, "segment");
        write_uint(out, nodes.get(o.node).map_or(0, |n| n.segments.0));
        out.push(b'}');
    });
    out.push(b',');
    write_key(&mut out, "duplicates");
    write_array(&mut out, duplicates.iter(), |out, d| write_str(out, d));
    out.push(b'}');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json(rows: &[Row<'_>], starts: &[usize], end: usize, max_depth: usize) -> String {
        let level = |c: &str| (c == "20").then(|| "information source".to_owned());
        String::from_utf8(tree_json(rows, starts, end, level, max_depth)).unwrap()
    }

    #[test]
    fn nests_children_and_reports_orphans() {
        let rows = [
            [Some("1"), None, Some("20"), Some("1")],
            [Some("2"), Some("1"), Some("22"), None],
            [Some("3"), Some("9"), None, None],
            [Some("4"), Some("4"), None, None],
            [Some("2"), Some("1"), None, None],
            [None, Some("2"), None, None],
        ];
        let got = json(&rows, &[1, 3, 4, 5, 6, 8], 8, 64);
        let want = concat!(
            r#"{"count":6,"roots":["#,
            r#"{"id":"1","parent":null,"level_code":"20","level":"information source","child_code":"1","segments":[1,3],"children":["#,
            r#"{"id":"2","parent":"1","level_code":"22","level":null,"child_code":null,"segments":[3,4],"children":[]},"#,
            r#"{"id":"2","parent":"1","level_code":null,"level":null,"child_code":null,"segments":[6,8],"children":["#,
            r#"{"id":"","parent":"2","level_code":null,"level":null,"child_code":null,"segments":[8,9],"children":[]}]}]},"#,
            r#"{"id":"3","parent":"9","level_code":null,"level":null,"child_code":null,"segments":[4,5],"children":[]},"#,
            r#"{"id":"4","parent":"4","level_code":null,"level":null,"child_code":null,"segments":[5,6],"children":[]}],"#,
            r#""orphans":[{"id":"3","parent":"9","reason":"unknown parent","segment":4},"#,
            r#"{"id":"4","parent":"4","reason":"self parent","segment":5}],"duplicates":["2"]}"#,
        );
        assert_eq!(got, want);
    }

    #[test]
    fn detaches_too_deep_chains() {
        let ids: Vec<String> = (0..4).map(|i| i.to_string()).collect();
        let rows: Vec<Row<'_>> =
            ids.iter().enumerate().map(|(i, id)| [Some(id.as_str()), i.checked_sub(1).map(|p| ids[p].as_str()), None, None]).collect();
        let got = json(&rows, &[1, 2, 3, 4], 5, 2);
        assert!(got.contains(r#""orphans":[{"id":"2","parent":"1","reason":"too deep","segment":3}]"#), "{got}");
        assert!(got.contains(r#"{"id":"3","parent":"2","#), "{got}"); // under the detached node
    }
}
