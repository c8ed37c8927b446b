//! The verification report as JSON, written straight into the response's buffer: the same
//! bytes as `serde_json::to_writer` of the [`Report`] (the verifier's `Serialize` is the
//! definition; a test holds this writer to it), at a fraction of the cost.
//!
//! What `serde_json` spends on a report, and this writer does not: an escaping scan byte by
//! byte of every string (here one pass that the compiler vectorises, and none at all for
//! the hex and the times this writer formats itself); `collect_str` through `fmt` for every
//! time, fingerprint and message (here the digits written directly, and messages formatted
//! into one reused buffer); and the signer identifier, whose issuer name the verifier
//! decodes from its DER again at every report (here kept, per thread, for the few
//! identifiers seen last). The parts that are rare or small (ownership, time-stamps,
//! OCSP sources, roles, the enums) are written by `serde_json` itself.

use std::cell::RefCell;
use std::fmt::{Display, Write as _};

use qoima_verifier::engine::{
    CertificateSummary, Check, CrlSourceReport, Outcome, Report, RevocationReport, SignerId,
    SignerReport,
};
use qoima_verifier::identity::Identity;
use qoima_verifier::path::Fingerprint;
use qoima_verifier::time::Time;
use qoima_verifier::verdict::Verdict;
use serde::Serialize;

/// Appends `report` to `out` as compact JSON, byte for byte what `serde_json` writes.
pub(crate) fn write_report(report: &Report, out: &mut Vec<u8>) -> Result<(), serde_json::Error> {
    let mut json = Writer {
        out,
        scratch: String::new(),
    };
    json.report(report)
}

/// The JSON being written and a buffer for the values formatted through `Display`.
struct Writer<'a> {
    out: &'a mut Vec<u8>,
    scratch: String,
}

type Written = Result<(), serde_json::Error>;

impl Writer<'_> {
    fn report(&mut self, report: &Report) -> Written {
        self.out.push(b'{');
        self.verdict(&report.verdict)?;
        self.key(",\"validationTime\":");
        self.unix_time(report.validation_time);
        self.key(",\"format\":");
        self.option(report.format, |json, format| json.string(format));
        self.key(",\"detached\":");
        self.option(report.detached, |json, detached| json.boolean(detached));
        self.key(",\"ownership\":");
        self.serde(&report.ownership)?;
        self.key(",\"checks\":");
        self.checks(&report.checks)?;
        self.key(",\"signers\":[");
        for (i, signer) in report.signers.iter().enumerate() {
            self.comma(i);
            self.signer(signer)?;
        }
        self.key("]}");
        Ok(())
    }

    /// A flattened [`Verdict`]: its two members, without braces.
    fn verdict(&mut self, verdict: &Verdict) -> Written {
        self.key("\"indication\":");
        self.serde(&verdict.indication)?;
        self.key(",\"subIndication\":");
        self.serde(&verdict.sub_indication)
    }

    fn signer(&mut self, signer: &SignerReport) -> Written {
        self.key("{\"index\":");
        self.serde(&signer.index)?;
        self.out.push(b',');
        self.verdict(&signer.verdict)?;
        self.key(",\"signerIdentifier\":");
        self.signer_id(&signer.signer_identifier);
        self.key(",\"identity\":");
        match &signer.identity {
            Some(identity) => self.identity(identity)?,
            None => self.key("null"),
        }
        self.key(",\"signatureAlgorithm\":");
        self.option(signer.signature_algorithm.as_ref(), |json, algorithm| {
            json.display(algorithm)
        });
        self.key(",\"claimedSigningTime\":");
        self.option(signer.claimed_signing_time.as_ref(), |json, time| {
            json.time(time)
        });
        self.key(",\"proofOfExistence\":");
        self.serde(&signer.proof_of_existence)?;
        self.key(",\"bestSignatureTime\":");
        self.unix_time(signer.best_signature_time);
        self.key(",\"timeStamps\":");
        self.serde(&signer.time_stamps)?;
        self.key(",\"chain\":[");
        for (i, certificate) in signer.chain.iter().enumerate() {
            self.comma(i);
            self.certificate(certificate);
        }
        self.key("],\"revocation\":[");
        for (i, revocation) in signer.revocation.iter().enumerate() {
            self.comma(i);
            self.revocation(revocation)?;
        }
        self.key("],\"owner\":");
        self.option(signer.owner, |json, owner| json.boolean(owner));
        self.key(",\"checks\":");
        self.checks(&signer.checks)?;
        self.out.push(b'}');
        Ok(())
    }

    /// Who signed: mostly names, Cyrillic ones among them, written with the fast scan.
    fn identity(&mut self, identity: &Identity) -> Written {
        self.key("{\"kind\":");
        self.serde(&identity.kind)?;
        for (key, value) in [
            (",\"commonName\":", &identity.common_name),
            (",\"surname\":", &identity.surname),
            (",\"firstName\":", &identity.first_name),
            (",\"patronymic\":", &identity.patronymic),
            (",\"serialNumber\":", &identity.serial_number),
            (",\"iin\":", &identity.iin),
            (",\"organization\":", &identity.organization),
            (",\"bin\":", &identity.bin),
            (",\"country\":", &identity.country),
            (",\"locality\":", &identity.locality),
            (",\"region\":", &identity.region),
            (",\"email\":", &identity.email),
            (",\"uid\":", &identity.uid),
        ] {
            self.key(key);
            self.option(value.as_deref(), Self::string);
        }
        self.key(",\"otherAttributes\":[");
        for (i, attribute) in identity.other_attributes.iter().enumerate() {
            self.comma(i);
            self.key("{\"oid\":");
            self.string(&attribute.oid);
            self.key(",\"value\":");
            self.string(&attribute.value);
            self.out.push(b'}');
        }
        self.key("],\"roles\":");
        self.serde(&identity.roles)?;
        self.key(",\"extendedKeyUsage\":[");
        for (i, oid) in identity.extended_key_usage.iter().enumerate() {
            self.comma(i);
            self.string(oid);
        }
        self.key("],\"extendedKeyUsageCritical\":");
        self.boolean(identity.extended_key_usage_critical);
        self.key(",\"keyUsage\":");
        self.serde(&identity.key_usage)?;
        self.key(",\"certificatePolicies\":[");
        for (i, oid) in identity.certificate_policies.iter().enumerate() {
            self.comma(i);
            self.string(oid);
        }
        self.key("],\"notes\":");
        self.serde(&identity.notes)?;
        self.out.push(b'}');
        Ok(())
    }

    fn certificate(&mut self, certificate: &CertificateSummary) {
        self.key("{\"subject\":");
        self.string(&certificate.subject);
        self.key(",\"issuer\":");
        self.string(&certificate.issuer);
        self.key(",\"serialNumber\":");
        self.string(&certificate.serial_number);
        self.key(",\"fingerprint\":");
        self.string(&certificate.fingerprint);
        self.key(",\"notBefore\":");
        self.string(&certificate.not_before);
        self.key(",\"notAfter\":");
        self.string(&certificate.not_after);
        self.out.push(b'}');
    }

    fn revocation(&mut self, revocation: &RevocationReport) -> Written {
        self.key("{\"certificate\":");
        self.fingerprint(&revocation.certificate);
        self.key(",\"status\":");
        self.string(revocation.status);
        self.key(",\"revocationDate\":");
        self.option(revocation.revocation_date.as_deref(), Self::string);
        self.key(",\"reason\":");
        self.serde(&revocation.reason)?;
        self.key(",\"unknownReason\":");
        self.serde(&revocation.unknown_reason)?;
        self.key(",\"sources\":[");
        for (i, source) in revocation.sources.iter().enumerate() {
            self.comma(i);
            self.crl(source);
        }
        self.key("],\"statusSource\":");
        self.option(revocation.status_source, Self::string);
        self.key(",\"ocsp\":");
        self.serde(&revocation.ocsp)?;
        self.key(",\"ocspIgnored\":[");
        for (i, ignored) in revocation.ocsp_ignored.iter().enumerate() {
            self.comma(i);
            self.string(ignored);
        }
        self.key("],\"invalidityDate\":");
        self.option(revocation.invalidity_date.as_deref(), Self::string);
        self.key(",\"statusAt\":");
        self.option(revocation.status_at.as_deref(), Self::string);
        self.out.push(b'}');
        Ok(())
    }

    fn crl(&mut self, source: &CrlSourceReport) {
        self.key("{\"fingerprint\":");
        self.string(&source.fingerprint);
        self.key(",\"thisUpdate\":");
        self.string(&source.this_update);
        self.key(",\"nextUpdate\":");
        self.option(source.next_update.as_deref(), Self::string);
        self.key(",\"number\":");
        self.option(source.number.as_deref(), Self::string);
        self.key(",\"delta\":");
        self.boolean(source.delta);
        self.out.push(b'}');
    }

    fn checks(&mut self, checks: &[Check]) -> Written {
        self.out.push(b'[');
        for (i, check) in checks.iter().enumerate() {
            self.comma(i);
            self.key("{\"check\":");
            self.string(check.check.as_str());
            self.key(",\"outcome\":");
            match check.outcome {
                Outcome::Passed => self.key("\"passed\""),
                Outcome::Warning => self.key("\"warning\""),
                Outcome::Failed => self.key("\"failed\""),
                other => self.serde(&other)?,
            }
            self.key(",\"subIndication\":");
            self.serde(&check.sub_indication)?;
            self.key(",\"message\":");
            self.display(&check.message);
            self.out.push(b'}');
        }
        self.out.push(b']');
        Ok(())
    }

    /// The signer identifier's text, kept for the identifiers seen last on this thread:
    /// rendering it decodes the issuer's DER Name, the same few names at every request.
    fn signer_id(&mut self, id: &SignerId) {
        /// How many identifiers each thread keeps: the signers of the last few requests.
        const KEPT: usize = 8;
        thread_local! {
            static RENDERED: RefCell<Vec<(SignerId, String)>> = const { RefCell::new(Vec::new()) };
        }
        RENDERED.with_borrow_mut(|rendered| {
            let at = match rendered.iter().position(|(seen, _)| seen == id) {
                Some(at) => at,
                None => {
                    if rendered.len() == KEPT {
                        rendered.pop();
                    }
                    rendered.insert(0, (id.clone(), id.to_string()));
                    0
                }
            };
            self.string(&rendered[at].1);
        });
    }

    /// Unix seconds as the verifier writes them: RFC 3339 UTC, `@seconds` out of range.
    fn unix_time(&mut self, unix: i64) {
        match Time::from_unix(unix) {
            Some(time) => self.time(&time),
            None => self.display(&format_args!("@{unix}")),
        }
    }

    /// `YYYY-MM-DDTHH:MM:SSZ`, as `Time`'s `Display` writes it, without `fmt`.
    fn time(&mut self, time: &Time) {
        if time.year > 9999 {
            return self.display(time);
        }
        let mut text = *b"\"0000-00-00T00:00:00Z\"";
        let year = time.year;
        text[1] = b'0' + (year / 1000) as u8;
        text[2] = b'0' + (year / 100 % 10) as u8;
        text[3] = b'0' + (year / 10 % 10) as u8;
        text[4] = b'0' + (year % 10) as u8;
        for (at, value) in [
            (6, time.month),
            (9, time.day),
            (12, time.hour),
            (15, time.minute),
            (18, time.second),
        ] {
            if value > 99 {
                return self.display(time);
            }
            text[at] = b'0' + value / 10;
            text[at + 1] = b'0' + value % 10;
        }
        self.out.extend_from_slice(&text);
    }

    /// Lowercase hex, as `Fingerprint`'s `Display` writes it.
    fn fingerprint(&mut self, fingerprint: &Fingerprint) {
        const DIGITS: &[u8; 16] = b"0123456789abcdef";
        self.out.push(b'"');
        for byte in fingerprint.0 {
            self.out.push(DIGITS[usize::from(byte >> 4)]);
            self.out.push(DIGITS[usize::from(byte & 0xf)]);
        }
        self.out.push(b'"');
    }

    /// A value's `Display` text as a JSON string.
    fn display(&mut self, value: &dyn Display) {
        let mut text = std::mem::take(&mut self.scratch);
        text.clear();
        // Writing into a String fails only if `Display` itself does, which `serde_json`'s
        // `collect_str` would turn into an error too; none of the report's does.
        let _ = write!(text, "{value}");
        self.string(&text);
        self.scratch = text;
    }

    /// A JSON string: copied as it is when it has nothing to escape, else by `serde_json`.
    fn string(&mut self, text: &str) {
        if needs_escaping(text.as_bytes()) {
            // Into a Vec: never fails.
            let _ = serde_json::to_writer(&mut *self.out, text);
        } else {
            self.out.push(b'"');
            self.out.extend_from_slice(text.as_bytes());
            self.out.push(b'"');
        }
    }

    fn option<T>(&mut self, value: Option<T>, write: impl FnOnce(&mut Self, T)) {
        match value {
            Some(value) => write(self, value),
            None => self.key("null"),
        }
    }

    fn boolean(&mut self, value: bool) {
        self.key(if value { "true" } else { "false" });
    }

    /// A value written by `serde_json`, for the parts that are small or rare.
    fn serde(&mut self, value: &impl Serialize) -> Written {
        serde_json::to_writer(&mut *self.out, value)
    }

    /// JSON text known to need no escaping: keys and punctuation.
    fn key(&mut self, text: &str) {
        self.out.extend_from_slice(text.as_bytes());
    }

    fn comma(&mut self, index: usize) {
        if index > 0 {
            self.out.push(b',');
        }
    }
}

/// Whether a JSON string of `bytes` has anything `serde_json` escapes (RFC 8259 §7: the
/// quotation mark, the reverse solidus and the control characters U+0000 to U+001F; it
/// writes everything else, non-ASCII included, as it is). One pass without early exit, in
/// blocks, which the compiler turns into vector instructions.
fn needs_escaping(bytes: &[u8]) -> bool {
    let special = |b: u8| (b < 0x20) | (b == b'"') | (b == b'\\');
    let mut blocks = bytes.chunks_exact(32);
    for block in &mut blocks {
        if block.iter().fold(false, |any, &b| any | special(b)) {
            return true;
        }
    }
    blocks.remainder().iter().any(|&b| special(b))
}

#[cfg(test)]
mod tests;
