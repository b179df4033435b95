//! edi-mesh's compiled parser core: pure Rust logic (`tokenize`, `split`, `body` with
//! `json`, `dict` and `data`, `fields`) and, with the `python` feature, its PyO3 bindings (`py`).
//! Python's `parsers/` is the reference.

#![cfg_attr(not(feature = "python"), forbid(unsafe_code))]

pub mod body;
pub mod data;
pub mod dict;
pub mod fields;
pub mod hl;
pub mod json;
pub mod keys;
pub mod split;
pub mod tokenize;

#[cfg(feature = "python")]
mod py;
