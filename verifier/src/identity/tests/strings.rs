//! Garbage and edge cases for the string decoding.

use crate::identity::strings::{StringError, StringKind, decode_string};

#[test]
fn utf8_cyrillic_and_kazakh() {
    let text = "ҰЛТТЫҚ КУӘЛАНДЫРУШЫ ОРТАЛЫҚ, ТЕСТОВ ТЕСТ";
    assert_eq!(
        decode_string(StringKind::Utf8, text.as_bytes()).unwrap(),
        text
    );
    assert_eq!(decode_string(StringKind::Utf8, b"").unwrap(), "");
}

#[test]
fn invalid_utf8() {
    for bytes in [
        &b"\xff"[..],
        b"\xd0",             // truncated two-byte sequence
        b"\xc0\xaf",         // overlong '/'
        b"\xed\xa0\x80",     // a surrogate
        b"\xf4\x90\x80\x80", // above U+10FFFF
        b"\xd0\xa2\xd0",     // "Т" then a truncated one
    ] {
        assert_eq!(
            decode_string(StringKind::Utf8, bytes),
            Err(StringError::InvalidUtf8),
            "{bytes:02x?}"
        );
    }
}

#[test]
fn control_characters_are_refused() {
    for (bytes, code) in [
        (&b"IIN123456789011\0"[..], 0),
        (b"TEST\nNAME", 0x0a),
        (b"\x7f", 0x7f),
        ("А\u{85}Б".as_bytes(), 0x85),
    ] {
        assert_eq!(
            decode_string(StringKind::Utf8, bytes),
            Err(StringError::ControlCharacter { code })
        );
    }
    assert_eq!(
        decode_string(StringKind::Printable, b"IIN\x00"),
        Err(StringError::ControlCharacter { code: 0 })
    );
    assert_eq!(
        decode_string(StringKind::Bmp, &[0x04, 0x10, 0x00, 0x00]),
        Err(StringError::ControlCharacter { code: 0 })
    );
}

#[test]
fn ascii_types() {
    assert_eq!(decode_string(StringKind::Printable, b"KZ").unwrap(), "KZ");
    // Lax about '@' and '_' in PrintableString, as deployed CAs write them.
    assert_eq!(
        decode_string(StringKind::Printable, b"a_b@c.kz").unwrap(),
        "a_b@c.kz"
    );
    assert_eq!(
        decode_string(StringKind::Printable, "ТЕСТ".as_bytes()),
        Err(StringError::InvalidCharacter {
            kind: StringKind::Printable,
            byte: 0xd0
        })
    );
    assert_eq!(
        decode_string(StringKind::Ia5, b"caf\xe9"),
        Err(StringError::InvalidCharacter {
            kind: StringKind::Ia5,
            byte: 0xe9
        })
    );
    assert_eq!(
        decode_string(StringKind::Numeric, b"123 456").unwrap(),
        "123 456"
    );
    assert_eq!(
        decode_string(StringKind::Numeric, b"12a"),
        Err(StringError::InvalidCharacter {
            kind: StringKind::Numeric,
            byte: b'a'
        })
    );
}

#[test]
fn bmp_string() {
    // "ТЕСТ" in UTF-16BE.
    let bmp = [0x04, 0x22, 0x04, 0x15, 0x04, 0x21, 0x04, 0x22];
    assert_eq!(decode_string(StringKind::Bmp, &bmp).unwrap(), "ТЕСТ");
    // A surrogate pair is accepted (U+1F600).
    assert_eq!(
        decode_string(StringKind::Bmp, &[0xd8, 0x3d, 0xde, 0x00]).unwrap(),
        "\u{1f600}"
    );
    assert_eq!(
        decode_string(StringKind::Bmp, &bmp[..3]),
        Err(StringError::BadLength {
            kind: StringKind::Bmp,
            len: 3
        })
    );
    for unpaired in [
        &[0xd8, 0x3d][..],
        &[0xde, 0x00, 0x00, 0x41],
        &[0xd8, 0x3d, 0x00, 0x41],
    ] {
        assert_eq!(
            decode_string(StringKind::Bmp, unpaired),
            Err(StringError::InvalidCodePoint {
                kind: StringKind::Bmp
            })
        );
    }
}

#[test]
fn universal_string() {
    assert_eq!(
        decode_string(StringKind::Universal, &[0, 0, 0x04, 0x22, 0, 0, 0, 0x41]).unwrap(),
        "ТA"
    );
    assert_eq!(
        decode_string(StringKind::Universal, &[0, 0, 0x04]),
        Err(StringError::BadLength {
            kind: StringKind::Universal,
            len: 3
        })
    );
    for bad in [[0, 0x11, 0, 0], [0, 0, 0xd8, 0], [0xff; 4]] {
        assert_eq!(
            decode_string(StringKind::Universal, &bad),
            Err(StringError::InvalidCodePoint {
                kind: StringKind::Universal
            })
        );
    }
}

#[test]
fn teletex_is_latin_1() {
    assert_eq!(
        decode_string(StringKind::Teletex, b"caf\xe9").unwrap(),
        "café"
    );
    assert_eq!(
        decode_string(StringKind::Teletex, b"\x9b"),
        Err(StringError::ControlCharacter { code: 0x9b })
    );
}

#[test]
fn tags() {
    assert_eq!(StringKind::from_universal_tag(12), Some(StringKind::Utf8));
    assert_eq!(StringKind::from_universal_tag(30), Some(StringKind::Bmp));
    assert_eq!(StringKind::from_universal_tag(4), None); // OCTET STRING
    assert_eq!(StringKind::from_universal_tag(2), None); // INTEGER
}

/// Every single byte and every pair of bytes, through every type: never a panic.
#[test]
fn no_input_panics() {
    let kinds = [
        StringKind::Utf8,
        StringKind::Numeric,
        StringKind::Printable,
        StringKind::Teletex,
        StringKind::Ia5,
        StringKind::Visible,
        StringKind::Universal,
        StringKind::Bmp,
    ];
    for kind in kinds {
        for a in 0..=255u8 {
            let _ = decode_string(kind, &[a]);
            for b in (0..=255u8).step_by(7) {
                let _ = decode_string(kind, &[a, b]);
                let _ = decode_string(kind, &[b, a, a, b]);
            }
        }
    }
}
