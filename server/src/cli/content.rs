//! `qoima put`, `get`, `stat`, `scrub` and `gc`.

use std::fs::File;
use std::io::{self, BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};

use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use qoima_vault::{ContentAddress, ContentConfig};

use super::{Failure, existing_store, open_store, storage_settings};

#[derive(Debug, Args)]
pub struct PutArgs {
    /// The file to store; `-` reads standard input.
    file: PathBuf,
    /// Chunk size in bytes.
    #[arg(long, default_value_t = ContentConfig::default().chunk_size)]
    chunk_size: u32,
    /// zstd level for compressible chunks.
    #[arg(long, default_value_t = ContentConfig::default().zstd_level)]
    zstd_level: i32,
}

#[derive(Debug, Args)]
pub struct GetArgs {
    /// The content's SHA-256 address (64 hex digits).
    address: String,
    /// Only bytes A to B, inclusive and counted from 0 (as in HTTP); `A-` runs to the end.
    #[arg(long, value_name = "A-B")]
    range: Option<String>,
    /// Write to this file instead of standard output (only once complete and verified).
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct StatArgs {
    /// The content's SHA-256 address (64 hex digits).
    address: String,
    /// Print one JSON object.
    #[arg(long)]
    json: bool,
}

pub fn put(dir: &Path, settings: Option<&Path>, args: PutArgs) -> Result<(), Failure> {
    let config = ContentConfig {
        chunk_size: args.chunk_size,
        zstd_level: args.zstd_level,
    };
    let input: Box<dyn io::Read> = if args.file.as_os_str() == "-" {
        Box::new(io::stdin().lock())
    } else {
        let file = File::open(&args.file)
            .map_err(|e| Failure::usage(format!("cannot read {}: {e}", args.file.display())))?;
        Box::new(file)
    };
    let store = open_store(dir, &storage_settings(settings)?, config, true)?;
    let outcome = store.put(input)?;
    println!("{}", outcome.address);
    Ok(())
}

pub fn get(dir: &Path, config: Option<&Path>, args: GetArgs) -> Result<(), Failure> {
    let address = parse_address(&args.address)?;
    let store = existing_store(dir, config)?;
    let length = store.stat(&address)?.length;
    let range = match &args.range {
        None => 0..length,
        Some(text) => parse_range(text, length)?,
    };
    let mut reader = store.read_range(&address, range)?;
    match args.output {
        None => {
            let mut out = io::stdout().lock();
            reader
                .copy_to(&mut out)
                .and_then(|_| out.flush())
                .map_err(io_failure)?;
        }
        Some(path) => {
            // Verified bytes only: write aside, rename when the last chunk checked out.
            let mut partial = path.clone().into_os_string();
            partial.push(".partial");
            let partial = PathBuf::from(partial);
            let written = File::create(&partial).and_then(|file| {
                let mut out = BufWriter::new(file);
                reader.copy_to(&mut out)?;
                out.into_inner().map_err(|e| e.into_error())?.sync_all()
            });
            if let Err(e) = written.and_then(|()| std::fs::rename(&partial, &path)) {
                let _ = std::fs::remove_file(&partial);
                return Err(io_failure(e));
            }
        }
    }
    Ok(())
}

pub fn stat(dir: &Path, config: Option<&Path>, args: StatArgs) -> Result<(), Failure> {
    let address = parse_address(&args.address)?;
    let store = existing_store(dir, config)?;
    let info = store.stat(&address)?;
    if args.json {
        let json = serde_json::json!({
            "address": info.address.to_string(),
            "length": info.length,
            "chunks": info.chunks,
            "storedBytes": info.stored_bytes,
        });
        println!("{json}");
    } else {
        println!("address:      {}", info.address);
        println!("length:       {} bytes", info.length);
        println!("chunks:       {}", info.chunks);
        println!("stored bytes: {}", info.stored_bytes);
    }
    Ok(())
}

pub fn scrub(dir: &Path, config: Option<&Path>) -> Result<(), Failure> {
    let store = existing_store(dir, config)?;
    let bar = if io::stderr().is_terminal() {
        let bar = ProgressBar::new(0);
        if let Ok(style) = ProgressStyle::with_template(
            "{spinner} scrub [{bar:40}] {bytes}/{total_bytes} ({bytes_per_sec}, {eta})",
        ) {
            bar.set_style(style.progress_chars("=> "));
        }
        bar
    } else {
        ProgressBar::hidden()
    };
    let report = store.scrub(|p| {
        bar.set_length(p.total);
        bar.set_position(p.done);
    })?;
    bar.finish_and_clear();
    for problem in &report.problems {
        println!("problem: {problem}");
    }
    println!(
        "scrub: {} contents, {} bytes re-hashed, {} unreferenced chunks, {} problems",
        report.contents,
        report.bytes,
        report.orphans,
        report.problems.len()
    );
    // The records and the audit log, against each other (`registry::verify_records`).
    let records =
        qoima_vault::registry::verify_records(store.backend()).map_err(Failure::failed)?;
    for problem in &records.problems {
        println!("problem: {problem}");
    }
    println!(
        "records: {} audit entries, {} records checked, {} problems",
        records.entries,
        records.records,
        records.problems.len()
    );
    let problems = report.problems.len() + records.problems.len();
    if problems == 0 {
        Ok(())
    } else {
        Err(Failure::failed(format!("scrub found {problems} problems")))
    }
}

fn parse_address(text: &str) -> Result<ContentAddress, Failure> {
    text.parse().map_err(Failure::usage)
}

/// Parses `A-B` (inclusive) or `A-` into a half-open range within `length`.
fn parse_range(text: &str, length: u64) -> Result<std::ops::Range<u64>, Failure> {
    let bad = || {
        Failure::usage(format!(
            "invalid range {text:?}: expected A-B or A- (bytes, from 0)"
        ))
    };
    let (a, b) = text.split_once('-').ok_or_else(bad)?;
    let start: u64 = a.trim().parse().map_err(|_| bad())?;
    let end = match b.trim() {
        "" => length,
        b => b
            .parse::<u64>()
            .map_err(|_| bad())?
            .checked_add(1)
            .ok_or_else(bad)?,
    };
    if start > end || end > length {
        return Err(Failure::usage(format!(
            "range {text} is not within the content's {length} bytes"
        )));
    }
    Ok(start..end)
}

fn io_failure(e: io::Error) -> Failure {
    if e.kind() == io::ErrorKind::BrokenPipe {
        // The reader went away (`qoima get … | head`): not our failure.
        return Failure {
            message: "output closed".into(),
            code: 1,
        };
    }
    Failure::failed(e)
}

#[cfg(test)]
mod tests {
    use super::parse_range;

    #[test]
    fn ranges_are_inclusive_like_http() {
        assert_eq!(parse_range("0-9", 100).unwrap(), 0..10);
        assert_eq!(parse_range("90-", 100).unwrap(), 90..100);
        assert_eq!(parse_range("0-99", 100).unwrap(), 0..100);
        for bad in [
            "",
            "5",
            "a-b",
            "-5",
            "9-3",
            "0-100",
            "101-",
            "0-18446744073709551615",
        ] {
            assert!(parse_range(bad, 100).is_err(), "{bad:?} accepted");
        }
    }
}
