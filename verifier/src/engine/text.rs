//! The report as a terminal reads it: the verdict first, then per signer who signed, the
//! times, the chain and every check, one line each.

use std::fmt;

use super::report::{Check, Outcome, Report, SignerReport, rfc3339};

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}", self.verdict)?;
        write!(f, "validation time {}", rfc3339(self.validation_time))?;
        if let Some(format) = self.format {
            write!(f, "; {format}")?;
        }
        if let Some(detached) = self.detached {
            f.write_str(if detached { ", detached" } else { ", attached" })?;
        }
        writeln!(f)?;
        for check in &self.checks {
            write_check(f, "", check)?;
        }
        for signer in &self.signers {
            write_signer(f, signer)?;
        }
        Ok(())
    }
}

fn write_signer(f: &mut fmt::Formatter<'_>, signer: &SignerReport) -> fmt::Result {
    writeln!(f, "signer {}: {}", signer.index, signer.verdict)?;
    if let Some(id) = &signer.identity {
        let mut line = id
            .common_name
            .clone()
            .unwrap_or_else(|| "(no CN)".to_owned());
        if let Some(patronymic) = &id.patronymic {
            line = format!("{line} {patronymic}");
        }
        if let Some(iin) = &id.iin {
            line = format!("{line}, IIN {iin}");
        }
        if let Some(org) = &id.organization {
            line = format!("{line}, {org}");
        }
        if let Some(bin) = &id.bin {
            line = format!("{line}, BIN {bin}");
        }
        writeln!(f, "  {line}")?;
        if !id.roles.is_empty() {
            let roles: Vec<String> = id.roles.iter().map(ToString::to_string).collect();
            writeln!(f, "  roles: {}", roles.join(", "))?;
        }
    } else {
        writeln!(f, "  {}", signer.signer_identifier)?;
    }
    if let Some(algorithm) = &signer.signature_algorithm {
        writeln!(f, "  algorithm: {algorithm}")?;
    }
    if let Some(claimed) = &signer.claimed_signing_time {
        writeln!(f, "  claimed signing time: {claimed}")?;
    }
    match &signer.proof_of_existence {
        Some(poe) => writeln!(
            f,
            "  proof of existence: {} ({})",
            rfc3339(poe.time),
            poe.source
        )?,
        None => writeln!(f, "  proof of existence: none")?,
    }
    writeln!(
        f,
        "  best-signature-time: {}",
        rfc3339(signer.best_signature_time)
    )?;
    for (i, cert) in signer.chain.iter().enumerate() {
        let label = if i == 0 { "certificate" } else { "issued by" };
        writeln!(f, "  {label}: {} (until {})", cert.subject, cert.not_after)?;
    }
    for check in &signer.checks {
        write_check(f, "  ", check)?;
    }
    Ok(())
}

fn write_check(f: &mut fmt::Formatter<'_>, indent: &str, check: &Check) -> fmt::Result {
    let mark = match (check.outcome, check.sub_indication) {
        (Outcome::Failed, Some(sub)) => format!("FAIL {}", sub.as_str()),
        (Outcome::Failed, None) => "FAIL".to_owned(),
        (Outcome::Warning, _) => "warn".to_owned(),
        (Outcome::Passed, _) => "ok".to_owned(),
    };
    writeln!(
        f,
        "{indent}[{mark}] {}: {}",
        check.check.as_str(),
        check.message
    )
}
