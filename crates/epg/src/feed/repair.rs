//! Repairs of text that an upstream tool already broke, in the two forms real feeds show
//! and that can be recognised without guessing:
//!
//! - C1 control characters (U+0080–U+009F) never belong in guide text: they are
//!   windows-1252 bytes that someone decoded as ISO-8859-1 ("Bondi\u{92}s" for "Bondi’s").
//!   They become the windows-1252 character they stood for; the five that windows-1252
//!   leaves undefined carry nothing and are dropped.
//! - "ï¿½" is a replacement character (U+FFFD) that went through a UTF-8 → ISO-8859-1 →
//!   UTF-8 round trip: the original character was lost before the feed reached us. The
//!   three characters become one U+FFFD again, which is honest.
//!
//! Other double-encoded text ("Ã©" for "é") is left alone: it cannot be told from real
//! text reliably.

use std::borrow::Cow;

const MOJIBAKE_REPLACEMENT: &str = "\u{EF}\u{BF}\u{BD}";

fn is_c1(c: char) -> bool {
    ('\u{80}'..='\u{9F}').contains(&c)
}

/// `text` with both repairs applied; borrowed when there is nothing to repair.
pub(super) fn text(text: &str) -> Cow<'_, str> {
    let has_c1 = text.chars().any(is_c1);
    if !has_c1 && !text.contains(MOJIBAKE_REPLACEMENT) {
        return Cow::Borrowed(text);
    }
    let text = text.replace(MOJIBAKE_REPLACEMENT, "\u{FFFD}");
    if !has_c1 {
        return Cow::Owned(text);
    }
    Cow::Owned(text.chars().filter_map(windows_1252).collect())
}

/// The windows-1252 character a C1 control stands for (`None` for the five bytes
/// windows-1252 leaves undefined); other characters as they are.
fn windows_1252(c: char) -> Option<char> {
    if !is_c1(c) {
        return Some(c);
    }
    let byte = [u8::try_from(u32::from(c)).ok()?];
    let (decoded, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(&byte);
    decoded.chars().next().filter(|d| !is_c1(*d))
}

#[cfg(test)]
mod tests {
    use super::text;

    #[test]
    fn broken_text_is_repaired_and_sound_text_borrowed() {
        let cases = [
            (
                "a budget of \u{EF}\u{BF}\u{BD}600,000",
                "a budget of \u{FFFD}600,000",
            ),
            ("Bondi\u{92}s busy streets", "Bondi\u{2019}s busy streets"),
            (
                "\u{93}quoted\u{94} \u{80}5 \u{85}",
                "\u{201C}quoted\u{201D} \u{20AC}5 \u{2026}",
            ),
            ("Ta\u{81}karo", "Takaro"),
        ];
        for (input, want) in cases {
            assert_eq!(text(input), want, "{input:?}");
        }
        for sound in ["Caf\u{C3}\u{A9} é ï", "plain", ""] {
            assert!(
                matches!(text(sound), std::borrow::Cow::Borrowed(_)),
                "{sound}"
            );
        }
    }
}
