//! Reading a bundle: the ZIP container, the `mimetype` and `manifest.json` entries, and the
//! rule that the manifest names every other entry exactly once (a file added to or removed
//! from the bundle is found here, before anything is believed).

use std::collections::HashMap;

use super::error::BundleError;
use super::manifest::{self, MANIFEST, MAX_MANIFEST, MIMETYPE, MIMETYPE_ENTRY, Manifest};
use super::zip;

/// A bundle read from its bytes: its manifest and its entries by name. Nothing in it is
/// verified yet but its shape ([`super::verify`] checks the claims).
#[derive(Debug)]
pub struct Bundle<'a> {
    /// The manifest.
    pub manifest: Manifest,
    files: HashMap<&'a str, &'a [u8]>,
}

impl<'a> Bundle<'a> {
    /// Reads `bytes`, refusing more than `limit` bytes.
    pub fn read(bytes: &'a [u8], limit: u64) -> Result<Self, BundleError> {
        let size = bytes.len() as u64;
        if size > limit {
            return Err(BundleError::TooLarge { size, limit });
        }
        let entries = zip::read(bytes)?;
        let mut entries = entries.into_iter();
        match entries.next() {
            Some(first) if first.name == MIMETYPE_ENTRY => {
                if first.data != MIMETYPE.as_bytes() {
                    return Err(BundleError::NotABundle(format!(
                        "its media type is {:?}, not {MIMETYPE}",
                        String::from_utf8_lossy(first.data)
                    )));
                }
            }
            _ => {
                return Err(BundleError::NotABundle(format!(
                    "the first entry is not `{MIMETYPE_ENTRY}`"
                )));
            }
        }
        let manifest = match entries.next() {
            Some(second) if second.name == MANIFEST => second.data,
            _ => {
                return Err(BundleError::NotABundle(format!(
                    "the second entry is not `{MANIFEST}`"
                )));
            }
        };
        if manifest.len() > MAX_MANIFEST {
            return Err(BundleError::Manifest(format!(
                "{} bytes, more than the {MAX_MANIFEST} allowed",
                manifest.len()
            )));
        }
        let manifest: Manifest =
            serde_json::from_slice(manifest).map_err(|e| BundleError::Manifest(e.to_string()))?;
        if manifest.format != manifest::FORMAT {
            return Err(BundleError::Manifest(format!(
                "format {:?}, not {:?}",
                manifest.format,
                manifest::FORMAT
            )));
        }
        let files: HashMap<&str, &[u8]> = entries.map(|e| (e.name, e.data)).collect();
        // Every name the manifest gives is an entry, once; every entry is named.
        let mut named: HashMap<&str, String> = HashMap::new();
        for (name, what) in manifest.entries() {
            if let Some(before) = named.insert(name, what.clone()) {
                return Err(BundleError::Manifest(format!(
                    "{name} is named twice: as {before} and as {what}"
                )));
            }
            if !files.contains_key(name) {
                return Err(BundleError::Missing(format!("{name} ({what})")));
            }
        }
        let mut unlisted: Vec<&&str> = files.keys().filter(|n| !named.contains_key(**n)).collect();
        unlisted.sort();
        if let Some(name) = unlisted.first() {
            return Err(BundleError::Unlisted((**name).to_owned()));
        }
        Ok(Self { manifest, files })
    }

    /// The bytes of entry `name` (one the manifest names: [`Self::read`] checked they exist).
    pub fn file(&self, name: &str) -> Result<&'a [u8], BundleError> {
        self.files
            .get(name)
            .copied()
            .ok_or_else(|| BundleError::Missing(name.to_owned()))
    }
}
