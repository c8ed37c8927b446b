//! A minimal DER/BER writer and a DER → BER converter to build test inputs, written
//! independently of the reader under test (low tag numbers only).

/// Whether constructed values get definite (DER) or indefinite (BER) lengths.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Der,
    Ber,
}

/// A primitive element with a definite, minimal length.
pub use crate::testing::der_tlv as prim;

/// A constructed element (`tag` has bit 0x20 set) holding `parts`.
pub fn cons(mode: Mode, tag: u8, parts: &[&[u8]]) -> Vec<u8> {
    assert!(tag & 0x20 != 0);
    let content = parts.concat();
    match mode {
        Mode::Der => prim(tag, &content),
        Mode::Ber => {
            let mut out = vec![tag, 0x80];
            out.extend(content);
            out.extend([0, 0]);
            out
        }
    }
}

pub fn seq(mode: Mode, parts: &[&[u8]]) -> Vec<u8> {
    cons(mode, 0x30, parts)
}

pub fn set(mode: Mode, parts: &[&[u8]]) -> Vec<u8> {
    cons(mode, 0x31, parts)
}

/// An OCTET STRING: primitive in DER, split into 5-byte segments (constructed, indefinite) in
/// BER, as BER signers do with large content.
pub fn octets(mode: Mode, content: &[u8]) -> Vec<u8> {
    octets_tagged(mode, 0x04, content)
}

/// An OCTET STRING with tag `tag` (primitive form; 0x20 is added for BER).
pub fn octets_tagged(mode: Mode, tag: u8, content: &[u8]) -> Vec<u8> {
    match mode {
        Mode::Der => prim(tag, content),
        Mode::Ber => {
            let segments: Vec<Vec<u8>> = content.chunks(5).map(|c| prim(0x04, c)).collect();
            let refs: Vec<&[u8]> = segments.iter().map(Vec::as_slice).collect();
            cons(Mode::Ber, tag | 0x20, &refs)
        }
    }
}

pub use crate::testing::oid;

pub fn int(v: u32) -> Vec<u8> {
    let mut bytes: Vec<u8> = v
        .to_be_bytes()
        .into_iter()
        .skip_while(|&b| b == 0)
        .collect();
    if bytes.first().is_none_or(|b| b & 0x80 != 0) {
        bytes.insert(0, 0);
    }
    prim(0x02, &bytes)
}

pub fn null() -> Vec<u8> {
    vec![0x05, 0x00]
}

/// Re-encodes a DER encoding: constructed elements whose tag path (outermost first) satisfies
/// `indefinite` get the indefinite length form, and primitive OCTET STRINGs whose path gives
/// `Some(n)` from `segment` become constructed OCTET STRINGs of `n`-byte segments. Lengths of
/// the enclosing definite-length elements are recomputed.
pub fn convert(
    der: &[u8],
    indefinite: &dyn Fn(&[u8]) -> bool,
    segment: &dyn Fn(&[u8]) -> Option<usize>,
) -> Vec<u8> {
    let mut out = Vec::new();
    walk(der, &mut Vec::new(), indefinite, segment, &mut out);
    out
}

fn walk(
    mut input: &[u8],
    path: &mut Vec<u8>,
    indefinite: &dyn Fn(&[u8]) -> bool,
    segment: &dyn Fn(&[u8]) -> Option<usize>,
    out: &mut Vec<u8>,
) {
    while !input.is_empty() {
        let tag = input[0];
        assert_ne!(tag & 0x1f, 0x1f, "high tag numbers are not supported here");
        let (len, header) = match input[1] {
            l if l < 0x80 => (l as usize, 2),
            l => {
                let n = (l & 0x7f) as usize;
                let len = input[2..2 + n]
                    .iter()
                    .fold(0usize, |a, &b| a << 8 | b as usize);
                (len, 2 + n)
            }
        };
        let content = &input[header..header + len];
        path.push(tag);
        if tag & 0x20 != 0 {
            let mut inner = Vec::new();
            walk(content, path, indefinite, segment, &mut inner);
            if indefinite(path) {
                out.extend([tag, 0x80]);
                out.extend(inner);
                out.extend([0, 0]);
            } else {
                out.extend(prim(tag, &inner));
            }
        } else if let (0x04, Some(n)) = (tag, segment(path)) {
            out.extend([0x24, 0x80]);
            for chunk in content.chunks(n) {
                out.extend(prim(0x04, chunk));
            }
            out.extend([0, 0]);
        } else {
            out.extend_from_slice(&input[..header + len]);
        }
        path.pop();
        input = &input[header + len..];
    }
}

#[test]
fn converter_without_changes_is_the_identity() {
    let der = super::fixtures::INDIVIDUAL_ATTACHED;
    assert_eq!(convert(der, &|_| false, &|_| None), der);
}

#[test]
fn oid_encoder() {
    assert_eq!(
        oid("1.2.840.113549.1.7.2"),
        [
            0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02
        ]
    );
}
