//! An API key, as the keys' owners see it (never its secret).

use qoima_vault::keys::ApiKey;
use serde::Serialize;

use super::rfc3339;

/// A key: id, role, name, BIN, participant, whether it signs its requests, creation and
/// revocation.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Key<'a> {
    id: String,
    role: &'static str,
    name: Option<&'a str>,
    bin: Option<&'a str>,
    participant: Option<&'a str>,
    require_signed: bool,
    created: String,
    revoked: Option<String>,
}

impl<'a> Key<'a> {
    pub(crate) fn new(key: &'a ApiKey) -> Self {
        Self {
            id: key.id.to_string(),
            role: key.role.as_str(),
            name: key.name.as_deref(),
            bin: key.bin.as_deref(),
            participant: key.participant.as_ref().map(|p| p.as_str()),
            require_signed: key.require_signed,
            created: rfc3339(key.created_at),
            revoked: key.revoked_at.map(rfc3339),
        }
    }
}
