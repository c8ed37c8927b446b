//! Result lines: one JSON object a line, or CSV (RFC 4180) for spreadsheets.

use std::io::{self, Write};

use qoima_verifier::Report;
use serde::{Deserialize, Serialize};

/// How results are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// One JSON object a line.
    Jsonl,
    /// Comma-separated values with a header line (RFC 4180).
    Csv,
}

/// A result line in either format.
pub(crate) trait Row: Serialize {
    /// The CSV header's fields.
    const CSV_HEADER: &'static [&'static str];

    /// The CSV fields, in the header's order.
    fn csv_fields(&self) -> Vec<String>;
}

/// Writes the header line a format has (CSV's), if any.
pub(crate) fn write_header<R: Row>(out: &mut dyn Write, format: Format) -> io::Result<()> {
    match format {
        Format::Jsonl => Ok(()),
        Format::Csv => writeln!(out, "{}", R::CSV_HEADER.join(",")),
    }
}

/// Writes one result line.
pub(crate) fn write_row<R: Row>(out: &mut dyn Write, row: &R, format: Format) -> io::Result<()> {
    match format {
        Format::Jsonl => {
            serde_json::to_writer(&mut *out, row)?;
            writeln!(out)
        }
        Format::Csv => {
            let fields: Vec<String> = row.csv_fields().iter().map(|f| csv_field(f)).collect();
            writeln!(out, "{}", fields.join(","))
        }
    }
}

/// A CSV field (RFC 4180 §2): quoted when it holds a comma, a quote or a line break, with its
/// quotes doubled.
fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

/// Who signed, as a result line names them.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Signer {
    pub(crate) iin: Option<String>,
    pub(crate) bin: Option<String>,
    /// The signing certificate's issuer (the CA), RFC 4514.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) issuer: Option<String>,
    pub(crate) indication: String,
    pub(crate) sub_indication: Option<String>,
}

impl Signer {
    /// The signers of `report`.
    pub(crate) fn all_of(report: &Report) -> impl Iterator<Item = Self> + '_ {
        report.signers.iter().map(|signer| Self {
            iin: signer.identity.as_ref().and_then(|i| i.iin.clone()),
            bin: signer.identity.as_ref().and_then(|i| i.bin.clone()),
            issuer: signer.chain.first().map(|c| c.issuer.clone()),
            indication: signer.verdict.indication.as_str().to_owned(),
            sub_indication: signer.verdict.sub_indication.map(|s| s.as_str().to_owned()),
        })
    }

    /// `IIN/BIN INDICATION; …`: the signers in one CSV field.
    pub(crate) fn csv(signers: &[Self]) -> String {
        signers
            .iter()
            .map(|s| {
                let who = [s.iin.as_deref(), s.bin.as_deref()]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join("/");
                format!("{who} {}", s.indication)
            })
            .collect::<Vec<_>>()
            .join("; ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_are_quoted_only_when_they_must_be() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("two\nlines"), "\"two\nlines\"");
    }
}
