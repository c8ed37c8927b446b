//! Query strings: one known parameter, form-decoded (`application/x-www-form-urlencoded`,
//! as browsers and `curl --data-urlencode -G` write them).

/// The value of parameter `name`, the only one `query` may hold: `None` when absent; an
/// error naming the problem for another parameter, a repeated one or a bad encoding.
pub(crate) fn parameter(query: Option<&str>, name: &str) -> Result<Option<String>, String> {
    parameters(query, [name]).map(|[value]| value)
}

/// The values of parameters `names`, the only ones `query` may hold, each `None` when absent;
/// an error naming the problem for another parameter, a repeated one or a bad encoding.
pub(crate) fn parameters<const N: usize>(
    query: Option<&str>,
    names: [&str; N],
) -> Result<[Option<String>; N], String> {
    let mut values: [Option<String>; N] = std::array::from_fn(|_| None);
    for pair in query.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
        let (key, text) = pair.split_once('=').unwrap_or((pair, ""));
        let Some(at) = names.iter().position(|name| *name == key) else {
            let known = names.map(|name| format!("{name}=<value>")).join("&");
            return Err(format!("unknown parameter {key:?}: use {known}"));
        };
        if values[at].is_some() {
            return Err(format!("parameter {key} is given twice"));
        }
        values[at] = Some(
            form_decode(text)
                .ok_or_else(|| format!("parameter {key} is not UTF-8 form-encoded"))?,
        );
    }
    Ok(values)
}

/// The values of parameters `names`, each required: as [`parameters`], and an error naming
/// the first one missing.
pub(crate) fn required<const N: usize>(
    query: Option<&str>,
    names: [&str; N],
) -> Result<[String; N], String> {
    let values = parameters(query, names)?;
    let mut out: [String; N] = std::array::from_fn(|_| String::new());
    for (at, value) in values.into_iter().enumerate() {
        out[at] = value.ok_or_else(|| {
            format!(
                "parameter {} is missing: use {}=<value>",
                names[at], names[at]
            )
        })?;
    }
    Ok(out)
}

/// `application/x-www-form-urlencoded` decoding; `None` for a bad escape or bad UTF-8.
fn form_decode(text: &str) -> Option<String> {
    let mut bytes = Vec::with_capacity(text.len());
    let mut rest = text.bytes();
    while let Some(b) = rest.next() {
        bytes.push(match b {
            b'+' => b' ',
            b'%' => {
                let hex = [rest.next()?, rest.next()?];
                if !hex.iter().all(u8::is_ascii_hexdigit) {
                    return None;
                }
                u8::from_str_radix(std::str::from_utf8(&hex).ok()?, 16).ok()?
            }
            b => b,
        });
    }
    String::from_utf8(bytes).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_parameter_form_decoded() {
        let reason = |q| parameter(q, "reason");
        assert_eq!(reason(Some("reason=a+b%2Fc")), Ok(Some("a b/c".into())));
        assert_eq!(
            reason(Some("reason=%D0%B8%D0%B7%D0%BC")),
            Ok(Some("изм".into()))
        );
        assert_eq!(reason(None), Ok(None));
        assert_eq!(reason(Some("")), Ok(None));
        for bad in [
            "reason=a&reason=b",
            "why=a",
            "reason=%zz",
            "reason=%ff",
            "reason=%4",
            "reason=%+f",
        ] {
            assert!(reason(Some(bad)).is_err(), "{bad}");
        }
    }
}
