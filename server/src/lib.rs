//! Qoima's HTTP API and the `qoima` command-line tool.
//!
//! Layers, from the top (`docs/architecture.md`): [`command`] parses the command line and
//! runs a command of [`cli`] or [`serve`]; `serve` starts [`http`]. `cli` and `http` are
//! peers that never import each other: both stand on [`representation`] (the API's JSON
//! forms), [`config`] (the operator's settings) and [`bulk`] (verification of many items:
//! batches and re-verification runs).

mod bulk;
mod cli;
mod command;
mod config;
mod engine;
mod fetch;
mod http;
mod imports;
mod ocsp;
mod refresh;
mod representation;
mod serve;

#[cfg(feature = "fuzzing")]
pub mod fuzzing;

pub use command::main;
