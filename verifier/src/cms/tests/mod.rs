//! Tests of the CMS parser on real NCA signatures and on hand-built encodings.

mod encode;
mod handmade;
mod real;
mod robustness;

pub(crate) use crate::test_support::fixtures;
