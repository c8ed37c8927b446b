//! A DER CRL file read as a stream: the entries go into the index as they arrive, the
//! fingerprint and the tbsCertList's digest are computed on the way, and only a bounded
//! buffer, the CRL's header and its tail are held, so that loading a large CRL peaks at its
//! index rather than at its file plus its index.
//!
//! Only the shape [`Crl::from_der`] reads fastest is taken here, and read to exactly the same
//! [`Crl`]: one or several CRLs in strict DER one after the other (`layout.rs`), every entry
//! in the canonical form (`entries.rs`), no serial listed twice, and a signature verified from
//! the tbsCertList's digest (RSA PKCS#1 v1.5 and GOST: `crypto::digest_of_signature`).
//! Anything else, and any error, is declined ([`read_crls`] answers `None`) before the caller
//! reads the whole file and decodes it as before, which also gives the same errors.

use std::io::{self, Read};

use sha2::{Digest as _, Sha256};

use crate::ber::Tlv;
use crate::cms::AlgorithmIdentifier;
use crate::crypto::{self, DigestAlgorithm, Hasher};
use crate::path::Fingerprint;
use crate::revocation::build::Builder;
use crate::revocation::covered::Covered;
use crate::revocation::crl::Crl;
use crate::revocation::der::{self, MAX_HEADER};
use crate::revocation::types::normalise;
use crate::revocation::{entries, layout};
use crate::signed::Signed;

const SEQUENCE: u8 = 0x30;
const INTEGER: u8 = 0x02;
const UTC_TIME: u8 = 0x17;
const GENERALIZED_TIME: u8 = 0x18;

/// The buffer: the largest entry taken, and how much is read at a time.
const CHUNK: usize = 64 * 1024;
/// What [`read_crls`] takes for the file's size when it is not known: the index is reserved
/// for the entries of 16 MiB, and grows beyond.
const UNKNOWN_SIZE: usize = 16 * 1024 * 1024;
/// The most kept of a CRL around its list: the header's fields, the crlExtensions, the
/// signature (a few kilobytes in practice).
const MAX_AROUND_LIST: usize = 1024 * 1024;

/// The CRLs of a DER CRL file read from `reader`, or `None` if the file is not all in the
/// shape this module takes (the caller then reads it whole). An I/O error is an error.
/// `size` is the file's size if known: the index is reserved for no more entries than the
/// smaller of it and a list's declared length hold (a length is only a claim).
pub(crate) fn read_crls(reader: impl Read, size: Option<u64>) -> io::Result<Option<Vec<Crl>>> {
    let mut input = Input::new(reader);
    input.size = size.map_or(UNKNOWN_SIZE, |size| {
        usize::try_from(size).unwrap_or(usize::MAX)
    });
    let mut crls = Vec::new();
    loop {
        match read_crl(&mut input)? {
            Some(crl) => crls.push(crl),
            None => return Ok(None),
        }
        if input.fill(1)? == 0 {
            return Ok(Some(crls));
        }
    }
}

/// The next CRL of `input`, `None` if it is not in the shape taken.
fn read_crl<R: Read>(input: &mut Input<R>) -> io::Result<Option<Crl>> {
    input.fingerprint = Some(Sha256::new());
    input.tbs = None;
    let Some((outer_len, _)) = input.header(SEQUENCE)? else {
        return Ok(None);
    };
    let Some((tbs_len, tbs_header)) = input.header(SEQUENCE)? else {
        return Ok(None);
    };
    let Some(signature_len) = outer_len.checked_sub(tbs_header.len().saturating_add(tbs_len))
    else {
        return Ok(None);
    };

    // TBSCertList up to revokedCertificates, as `layout::split` reads it: version (an
    // INTEGER) OPTIONAL, signature, issuer, thisUpdate, nextUpdate (a Time) OPTIONAL.
    let mut tbs_left = tbs_len;
    let mut before_list = Vec::new();
    let mut digest = None;
    let mut field = 0;
    loop {
        let Some((tag, len, header_len)) = input.peek_header()? else {
            return Ok(None);
        };
        match (field, tag) {
            (0, INTEGER) => field = 1,
            (0 | 1, _) => field = 2,
            (2 | 3, _) => field += 1,
            (4, UTC_TIME | GENERALIZED_TIME) => field = 5,
            _ => break,
        }
        let Some(size) = fits(
            header_len.saturating_add(len),
            &mut tbs_left,
            before_list.len(),
        ) else {
            return Ok(None);
        };
        let start = before_list.len();
        if !input.take(size, &mut before_list)? {
            return Ok(None);
        }
        if field == 2 {
            // The signature field: the digest this CRL is verified from, fed what of the
            // tbsCertList went by.
            let Some(algorithm) = before_list.get(start..).and_then(digest_of) else {
                return Ok(None);
            };
            let mut hasher = algorithm.hasher();
            hasher.update(&tbs_header);
            hasher.update(&before_list);
            input.tbs = Some(hasher);
            digest = Some(algorithm);
        }
    }
    let Some(algorithm) = digest else {
        return Ok(None);
    };

    // revokedCertificates, entry by entry.
    let Some((list_len, list_header)) = input.header(SEQUENCE)? else {
        return Ok(None);
    };
    let Some(left) = tbs_left.checked_sub(list_header.len().saturating_add(list_len)) else {
        return Ok(None);
    };
    tbs_left = left;
    let Some(index) = read_entries(input, list_len)? else {
        return Ok(None);
    };

    // crlExtensions, then signatureAlgorithm and signatureValue.
    let mut after_list = Vec::new();
    let kept = before_list.len().saturating_add(tbs_left);
    if kept > MAX_AROUND_LIST || !input.take(tbs_left, &mut after_list)? {
        return Ok(None);
    }
    let tbs_digest = input.tbs.take().map(Hasher::finish);
    let mut signature = Vec::new();
    if kept.saturating_add(signature_len) > MAX_AROUND_LIST
        || !input.take(signature_len, &mut signature)?
    {
        return Ok(None);
    }
    let Some(fingerprint) = input.fingerprint.take() else {
        return Ok(None);
    };
    let fingerprint = Fingerprint(fingerprint.finalize().into());

    let without_list = layout::without_list(&before_list, &after_list, &signature);
    drop((before_list, after_list, signature));
    // The outer signatureAlgorithm (the one the check uses) names the same digest.
    let outer = Signed::from_der(&without_list)
        .ok()
        .and_then(|signed| digest_of(signed.signature_algorithm.raw()));
    let (Some(tbs_digest), true) = (tbs_digest, outer == Some(algorithm)) else {
        return Ok(None);
    };
    let covered = Covered::Digest {
        algorithm,
        digest: tbs_digest,
    };
    Ok(Crl::from_streamed(&without_list, fingerprint, index, covered).ok())
}

/// The entries of a list of `list_len` content octets into an index; `None` if an entry is
/// not canonical, is longer than [`CHUNK`], has a date out of range or repeats a serial.
fn read_entries<R: Read>(
    input: &mut Input<R>,
    list_len: usize,
) -> io::Result<Option<crate::revocation::RevokedSerials>> {
    let mut left = list_len;
    let mut builder: Option<Builder> = None;
    while left > 0 {
        let Some((_, len, header_len)) = input.peek_header()? else {
            return Ok(None);
        };
        let size = header_len.saturating_add(len);
        if size > left || size > CHUNK || input.fill(size)? < size {
            return Ok(None);
        }
        let Some((serial, entry, [])) = entries::canonical(input.available(size)) else {
            return Ok(None);
        };
        // Room for the entries, from the first one's size and serial and the list's size (one
        // allocation for entries of about one size; over-reserved pages are never touched, and
        // `Builder::finish` gives back what is left).
        let builder = builder.get_or_insert_with(|| {
            let typical = (size - size / 8).max(19);
            Builder::new(
                normalise(serial).len(),
                list_len.min(input.size) / typical + 1,
            )
        });
        if builder.push_widening(serial, entry).is_err() {
            return Ok(None);
        }
        input.consume(size);
        left -= size;
    }
    let Some(builder) = builder else {
        // An empty list: `layout::split` splits it and x509-parser reads nothing there.
        return Ok(Some(Default::default()));
    };
    let mut repeated = false;
    let index = builder.finish(|_| repeated = true);
    Ok((!repeated).then_some(index))
}

/// The digest a CRL whose signature AlgorithmIdentifier is `der` is verified from.
fn digest_of(der: &[u8]) -> Option<DigestAlgorithm> {
    let tlv = Tlv::parse_single(der).ok()?;
    let algorithm = AlgorithmIdentifier::from_tlv(tlv, "signature").ok()?;
    crypto::digest_of_signature(&algorithm)
}

/// `size` taken from `left`, if `left` holds it and what is kept stays within
/// [`MAX_AROUND_LIST`] with `kept` already kept.
fn fits(size: usize, left: &mut usize, kept: usize) -> Option<usize> {
    *left = left.checked_sub(size)?;
    (kept.checked_add(size)? <= MAX_AROUND_LIST).then_some(size)
}

/// A reader with a bounded buffer, hashing what is consumed.
struct Input<R> {
    reader: R,
    buffer: Vec<u8>,
    /// The unconsumed bytes are `buffer[start..end]`.
    start: usize,
    end: usize,
    /// SHA-256 of the current CRL's bytes consumed so far.
    fingerprint: Option<Sha256>,
    /// The digest of its tbsCertList, while the tbsCertList is consumed.
    tbs: Option<Hasher>,
    /// The file's size, or [`UNKNOWN_SIZE`].
    size: usize,
}

impl<R: Read> Input<R> {
    fn new(reader: R) -> Self {
        Self {
            reader,
            buffer: vec![0; CHUNK],
            start: 0,
            end: 0,
            fingerprint: None,
            tbs: None,
            size: UNKNOWN_SIZE,
        }
    }

    /// Reads until `want` (at most [`CHUNK`]) bytes are buffered or the input ends; how many
    /// are.
    fn fill(&mut self, want: usize) -> io::Result<usize> {
        if self.end - self.start >= want {
            return Ok(self.end - self.start);
        }
        self.buffer.copy_within(self.start..self.end, 0);
        self.end -= self.start;
        self.start = 0;
        while self.end < want.min(CHUNK) {
            let Some(room) = self.buffer.get_mut(self.end..) else {
                break;
            };
            match self.reader.read(room) {
                Ok(0) => break,
                Ok(n) => self.end += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(self.end - self.start)
    }

    /// The first `len` buffered bytes (fewer if fewer are).
    fn available(&self, len: usize) -> &[u8] {
        let end = self.end.min(self.start.saturating_add(len));
        self.buffer.get(self.start..end).unwrap_or_default()
    }

    /// Drops the first `len` buffered bytes, hashing them.
    fn consume(&mut self, len: usize) {
        let end = self.end.min(self.start.saturating_add(len));
        let bytes = self.buffer.get(self.start..end).unwrap_or_default();
        if let Some(fingerprint) = &mut self.fingerprint {
            fingerprint.update(bytes);
        }
        if let Some(tbs) = &mut self.tbs {
            tbs.update(bytes);
        }
        self.start = end;
    }

    /// The strict DER header of the next TLV (tag, content length, header length), not
    /// consumed.
    fn peek_header(&mut self) -> io::Result<Option<(u8, usize, usize)>> {
        self.fill(MAX_HEADER)?;
        Ok(der::header(self.available(MAX_HEADER)))
    }

    /// Consumes the header of a TLV with tag `tag`: its content length and the header's
    /// bytes.
    fn header(&mut self, tag: u8) -> io::Result<Option<(usize, Vec<u8>)>> {
        Ok(match self.peek_header()? {
            Some((found, len, header_len)) if found == tag => {
                let header = self.available(header_len).to_vec();
                self.consume(header_len);
                Some((len, header))
            }
            _ => None,
        })
    }

    /// Moves the next `len` bytes to `out`; `false` if the input ends first.
    fn take(&mut self, mut len: usize, out: &mut Vec<u8>) -> io::Result<bool> {
        while len > 0 {
            let buffered = self.fill(len.min(CHUNK))?;
            if buffered == 0 {
                return Ok(false);
            }
            let now = buffered.min(len);
            out.extend_from_slice(self.available(now));
            self.consume(now);
            len -= now;
        }
        Ok(true)
    }
}
