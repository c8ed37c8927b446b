//! Registers signed documents until killed, printing `ack ROUND I ID NUMBER` for each
//! registration that returned. Usage: `crash-registrar DATA_DIR ROUND`.

use std::io::Write;
use std::process::ExitCode;

use jiff::Timestamp;
use qoima_tests::registration::{AT, PARTICIPANT, SENDER_IIN, document, registry, signature};
use qoima_vault::records::{Actor, Participant, RetentionClass};
use qoima_vault::registry::{Registration, Submitter};
use qoima_verifier::identity::Expectation;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let (Some(dir), Some(Ok(round))) = (args.get(1), args.get(2).map(|r| r.parse::<u64>())) else {
        eprintln!("usage: crash-registrar DATA_DIR ROUND");
        return ExitCode::from(64);
    };
    let fail = |e: String| {
        eprintln!("error: {e}");
        ExitCode::FAILURE
    };
    let registry = match registry(std::path::Path::new(dir)) {
        Ok(registry) => registry,
        Err(e) => return fail(e),
    };
    let (Ok(participant), Ok(at), Ok(by)) = (
        Participant::new(PARTICIPANT),
        Timestamp::from_second(AT),
        "crash-registrar".parse::<Actor>(),
    ) else {
        return fail("bad constants".into());
    };
    let sender = Expectation {
        iin: Some(SENDER_IIN.to_owned()),
        ..Expectation::default()
    };
    let mut out = std::io::stdout().lock();
    for i in 0.. {
        let content = document(round, i);
        let address = match registry.content().put(content.as_slice()) {
            Ok(outcome) => outcome.address,
            Err(e) => return fail(e.to_string()),
        };
        let registration = Registration::new(
            address,
            vec![signature(&content)],
            RetentionClass::ProjectDocumentation,
            participant.clone(),
            Submitter::new(by.clone()),
            at,
        )
        .expect(sender.clone());
        match registry.register(&registration) {
            // Printed only after register returned: from here on it must survive.
            Ok(done) => {
                let line = format!(
                    "ack {round} {i} {} {}",
                    done.id, done.version.registration_number
                );
                if writeln!(out, "{line}").and_then(|()| out.flush()).is_err() {
                    return ExitCode::FAILURE;
                }
            }
            Err(e) => return fail(e.to_string()),
        }
    }
    ExitCode::SUCCESS
}
