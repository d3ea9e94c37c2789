//! Entity references. Feeds use HTML entities (`&eacute;`, `&nbsp;`) without declaring
//! them, and entity declarations are refused (see `Error::EntityDeclaration`), so
//! names resolve from a fixed table here. An unknown name stays in the text as written:
//! losing a character is worse than showing `&foo;`.

/// HTML 4 names of U+00A0..=U+00FF, in code point order.
const LATIN1: [&str; 96] = [
    "nbsp", "iexcl", "cent", "pound", "curren", "yen", "brvbar", "sect", "uml", "copy", "ordf",
    "laquo", "not", "shy", "reg", "macr", "deg", "plusmn", "sup2", "sup3", "acute", "micro",
    "para", "middot", "cedil", "sup1", "ordm", "raquo", "frac14", "frac12", "frac34", "iquest",
    "Agrave", "Aacute", "Acirc", "Atilde", "Auml", "Aring", "AElig", "Ccedil", "Egrave", "Eacute",
    "Ecirc", "Euml", "Igrave", "Iacute", "Icirc", "Iuml", "ETH", "Ntilde", "Ograve", "Oacute",
    "Ocirc", "Otilde", "Ouml", "times", "Oslash", "Ugrave", "Uacute", "Ucirc", "Uuml", "Yacute",
    "THORN", "szlig", "agrave", "aacute", "acirc", "atilde", "auml", "aring", "aelig", "ccedil",
    "egrave", "eacute", "ecirc", "euml", "igrave", "iacute", "icirc", "iuml", "eth", "ntilde",
    "ograve", "oacute", "ocirc", "otilde", "ouml", "divide", "oslash", "ugrave", "uacute", "ucirc",
    "uuml", "yacute", "thorn", "yuml",
];

/// The character a named entity stands for: the XML built-ins, Latin-1 and the
/// typographic ones feeds copy from web pages.
pub(super) fn named(name: &[u8]) -> Option<char> {
    let c = match name {
        b"amp" => '&',
        b"lt" => '<',
        b"gt" => '>',
        b"quot" => '"',
        b"apos" => '\'',
        b"mdash" => '\u{2014}',
        b"ndash" => '\u{2013}',
        b"hellip" => '\u{2026}',
        b"lsquo" => '\u{2018}',
        b"rsquo" => '\u{2019}',
        b"sbquo" => '\u{201A}',
        b"ldquo" => '\u{201C}',
        b"rdquo" => '\u{201D}',
        b"bdquo" => '\u{201E}',
        b"lsaquo" => '\u{2039}',
        b"rsaquo" => '\u{203A}',
        b"euro" => '\u{20AC}',
        b"trade" => '\u{2122}',
        b"bull" => '\u{2022}',
        b"dagger" => '\u{2020}',
        b"Dagger" => '\u{2021}',
        b"permil" => '\u{2030}',
        b"prime" => '\u{2032}',
        b"Prime" => '\u{2033}',
        b"OElig" => '\u{152}',
        b"oelig" => '\u{153}',
        b"Scaron" => '\u{160}',
        b"scaron" => '\u{161}',
        b"Yuml" => '\u{178}',
        b"fnof" => '\u{192}',
        b"circ" => '\u{2C6}',
        b"tilde" => '\u{2DC}',
        b"ensp" => '\u{2002}',
        b"emsp" => '\u{2003}',
        b"thinsp" => '\u{2009}',
        b"zwnj" => '\u{200C}',
        b"zwj" => '\u{200D}',
        b"lrm" => '\u{200E}',
        b"rlm" => '\u{200F}',
        _ => {
            let i = LATIN1.iter().position(|n| n.as_bytes() == name)?;
            return char::from_u32(0xA0 + i as u32);
        }
    };
    Some(c)
}

/// `&#233;` or `&#xE9;` without the `&` and `;`; `None` if not a valid character.
pub(super) fn numeric(reference: &[u8]) -> Option<char> {
    let digits = reference.strip_prefix(b"#")?;
    let text = std::str::from_utf8(digits).ok()?;
    let code = match text.strip_prefix(['x', 'X']) {
        Some(hex) => u32::from_str_radix(hex, 16).ok()?,
        None => text.parse().ok()?,
    };
    char::from_u32(code).filter(|c| *c != '\0')
}

/// Appends the text of the reference `&reference;` to `out`.
pub(super) fn push_reference(reference: &[u8], out: &mut String) {
    let resolved = if reference.starts_with(b"#") {
        numeric(reference)
    } else {
        named(reference)
    };
    match resolved {
        Some(c) => out.push(c),
        None => {
            out.push('&');
            out.push_str(&String::from_utf8_lossy(reference));
            out.push(';');
        }
    }
}

/// Appends `raw` (an attribute value as written) to `out` with references resolved.
/// A `&` that starts no reference is kept, as browsers do.
pub(super) fn unescape_into(raw: &str, out: &mut String) {
    let mut rest = raw;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        // Only the next 33 bytes can hold a reference's end: looking further would make
        // an attribute full of bare '&' quadratic.
        let window = &after.as_bytes()[..after.len().min(33)];
        match window
            .iter()
            .position(|b| *b == b';')
            .filter(|end| *end > 0)
        {
            Some(end) if !after[..end].contains(['&', ' ']) => {
                push_reference(&after.as_bytes()[..end], out);
                rest = &after[end + 1..];
            }
            _ => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bare_ampersands_stay_and_later_references_resolve() {
        let raw = format!("{}AT&T &amp; x;{}", "& ".repeat(50_000), "&".repeat(40));
        let mut out = String::new();
        unescape_into(&raw, &mut out);
        assert_eq!(
            out,
            format!("{}AT&T & x;{}", "& ".repeat(50_000), "&".repeat(40))
        );
    }

    #[test]
    fn references_resolve_or_stay_literal() {
        let cases = [
            ("amp", "&"),
            ("lt", "<"),
            ("apos", "'"),
            ("nbsp", "\u{a0}"),
            ("eacute", "é"),
            ("yuml", "ÿ"),
            ("Agrave", "À"),
            ("mdash", "—"),
            ("hellip", "…"),
            ("euro", "€"),
            ("#233", "é"),
            ("#xE9", "é"),
            ("#x1F600", "😀"),
            ("#0", "&#0;"),
            ("#xD800", "&#xD800;"),
            ("foo", "&foo;"),
        ];
        for (reference, expected) in cases {
            let mut out = String::new();
            push_reference(reference.as_bytes(), &mut out);
            assert_eq!(out, expected, "&{reference};");
        }
    }

    #[test]
    fn attribute_values_unescape() {
        let cases = [
            ("plain", "plain"),
            ("Tom &amp; Jerry", "Tom & Jerry"),
            ("caf&eacute; &#233;&#xe9;", "café éé"),
            ("AT&T", "AT&T"),
            ("a & b &foo; c", "a & b &foo; c"),
            ("trailing &", "trailing &"),
        ];
        for (raw, expected) in cases {
            let mut out = String::new();
            unescape_into(raw, &mut out);
            assert_eq!(out, expected, "{raw}");
        }
    }
}
