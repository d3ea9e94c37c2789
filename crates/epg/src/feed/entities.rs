//! Entity references. Feeds use HTML entities (`&eacute;`, `&nbsp;`, `&hellip;`) copied
//! from web pages without declaring them, and entity declarations are refused (see
//! `Error::EntityDeclaration`), so names resolve from the HTML5 list of named character
//! references, which includes XML's five. An unknown name stays in the text as written:
//! losing a character is worse than showing `&foo;`.

/// The text a named entity stands for (one or two characters).
pub(super) fn named(name: &[u8]) -> Option<&'static str> {
    // The table is sorted by name (html-escape documents and tests it).
    let table = &html_escape::NAMED_ENTITIES;
    table
        .binary_search_by(|(entry, _)| (*entry).cmp(name))
        .ok()
        .map(|i| table[i].1)
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
        numeric(reference).map(|c| out.push(c))
    } else {
        named(reference).map(|text| out.push_str(text))
    };
    if resolved.is_none() {
        out.push('&');
        out.push_str(&String::from_utf8_lossy(reference));
        out.push(';');
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
            // Issue 11: HTML5 names feeds copy from web pages.
            ("hellip", "…"),
            ("rsquo", "\u{2019}"),
            ("euro", "€"),
            ("Scaron", "Š"),
            ("zcaron", "ž"),
            ("lstrok", "ł"),
            ("Alpha", "Α"),
            ("Acy", "А"),
            ("Afr", "\u{1D504}"),
            ("AMP", "&"),
            ("Hellip", "&Hellip;"),
            ("notanentity", "&notanentity;"),
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
