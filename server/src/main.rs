//! The `qoima` command.

use std::process::ExitCode;

fn main() -> ExitCode {
    qoima_server::main()
}
