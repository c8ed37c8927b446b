//! Qoima's HTTP API and the `qoima` command-line tool.

pub mod cli;
pub mod fuzzing;
pub mod http;
