//! Upload ids: 16 random bytes, 32 lowercase hex digits in URLs and file names.
//!
//! The id is the only secret-ish handle a tus client holds (it sits in the upload's URL), so it
//! comes from the system's secure generator; and it becomes a file name in the staging
//! directory, so parsing is strict: exactly 32 lowercase hex digits, nothing that could name
//! another file.

use std::fmt;
use std::str::FromStr;

use ring::rand::{SecureRandom, SystemRandom};

/// An upload's id: 16 random bytes, shown as 32 lowercase hex digits.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UploadId([u8; 16]);

impl UploadId {
    /// The length of an id in text.
    pub const HEX_LEN: usize = 32;

    /// A fresh id from the system's secure random generator.
    pub fn random() -> std::io::Result<Self> {
        let mut bytes = [0u8; 16];
        SystemRandom::new()
            .fill(&mut bytes)
            .map_err(|_| std::io::Error::other("the system random generator failed"))?;
        Ok(Self(bytes))
    }

    /// The id with these bytes.
    pub const fn from_bytes(bytes: [u8; 16]) -> Self {
        Self(bytes)
    }

    /// Its bytes.
    pub const fn as_bytes(&self) -> &[u8; 16] {
        &self.0
    }
}

impl fmt::Display for UploadId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex::encode(self.0))
    }
}

impl fmt::Debug for UploadId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "UploadId({self})")
    }
}

/// Why a text is not an upload id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("an upload id is 32 lowercase hex digits")]
pub struct ParseUploadIdError;

impl FromStr for UploadId {
    type Err = ParseUploadIdError;

    /// Strict: exactly 32 lowercase hex digits (no uppercase, no sign, no separators).
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        crate::address::decode_lower_hex(text.as_bytes())
            .map(Self)
            .ok_or(ParseUploadIdError)
    }
}
