//! Folding channel names so that providers' spellings of one channel compare equal.

/// Tokens dropped from the end of a name: providers add them to one feed's names and not
/// to another's, but they name a picture format, not a different channel.
const FORMAT_SUFFIXES: [&str; 5] = ["hd", "sd", "fhd", "uhd", "4k"];

/// The folded form of a channel name stored in `channels.normalized_name`: lower case,
/// Latin accents removed, punctuation and whitespace removed, and a trailing format token
/// (`HD`, `SD`, `FHD`, `UHD`, `4K`) dropped when other tokens remain.
///
/// `"BBC One HD"`, `"bbc-one"` and `"BBC  One"` all give `"bbcone"`.
pub fn normalize_name(name: &str) -> String {
    let mut tokens: Vec<String> = Vec::new();
    let mut current = String::new();
    for c in name.chars().flat_map(char::to_lowercase) {
        if is_combining_mark(c) {
            // A decomposed accent belongs to the letter before it: skip it without
            // splitting the word.
            continue;
        }
        if let Some(folded) = fold_latin(c) {
            current.push_str(folded);
        } else if c.is_alphanumeric() {
            current.push(c);
        } else if !current.is_empty() {
            tokens.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        tokens.push(current);
    }
    if tokens.len() > 1
        && tokens
            .last()
            .is_some_and(|last| FORMAT_SUFFIXES.contains(&last.as_str()))
    {
        tokens.pop();
    }
    tokens.concat()
}

fn is_combining_mark(c: char) -> bool {
    ('\u{0300}'..='\u{036f}').contains(&c)
}

/// The ASCII spelling of a lower-case accented Latin letter, `None` for anything else.
fn fold_latin(c: char) -> Option<&'static str> {
    Some(match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => "a",
        'æ' => "ae",
        'ç' | 'ć' | 'ĉ' | 'ċ' | 'č' => "c",
        'ď' | 'đ' | 'ð' => "d",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ĕ' | 'ė' | 'ę' | 'ě' => "e",
        'ĝ' | 'ğ' | 'ġ' | 'ģ' => "g",
        'ĥ' | 'ħ' => "h",
        'ì' | 'í' | 'î' | 'ï' | 'ĩ' | 'ī' | 'ĭ' | 'į' | 'ı' => "i",
        'ĵ' => "j",
        'ķ' => "k",
        'ĺ' | 'ļ' | 'ľ' | 'ŀ' | 'ł' => "l",
        'ñ' | 'ń' | 'ņ' | 'ň' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ŏ' | 'ő' => "o",
        'œ' => "oe",
        'ŕ' | 'ŗ' | 'ř' => "r",
        'ś' | 'ŝ' | 'ş' | 'š' | 'ș' => "s",
        'ß' => "ss",
        'ţ' | 'ť' | 'ŧ' | 'ț' => "t",
        'þ' => "th",
        'ù' | 'ú' | 'û' | 'ü' | 'ũ' | 'ū' | 'ŭ' | 'ů' | 'ű' | 'ų' => "u",
        'ŵ' => "w",
        'ý' | 'ÿ' | 'ŷ' => "y",
        'ź' | 'ż' | 'ž' => "z",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::normalize_name;

    #[test]
    fn folds_case_punctuation_spacing_and_format_suffix() {
        for name in [
            "BBC One HD",
            "bbc-one",
            "BBC  One",
            "BBC One (HD)",
            "bbc.one 4K",
        ] {
            assert_eq!(normalize_name(name), "bbcone", "{name}");
        }
    }

    #[test]
    fn folds_latin_accents_composed_and_decomposed() {
        let cases = [
            ("Télé Süd", "telesud"),
            ("Te\u{301}le\u{301}", "tele"),
            ("Straße", "strasse"),
            ("Ørsted Åland", "orstedaland"),
            ("Æon España Çanal", "aeonespanacanal"),
            ("ŁÓDŹ", "lodz"),
        ];
        for (name, folded) in cases {
            assert_eq!(normalize_name(name), folded, "{name}");
        }
    }

    #[test]
    fn keeps_a_lone_format_word_and_inner_ones() {
        assert_eq!(normalize_name("HD"), "hd");
        assert_eq!(normalize_name("HD Sports"), "hdsports");
        assert_eq!(normalize_name("Channel4K"), "channel4k");
        assert_eq!(normalize_name("Россия 1 HD"), "россия1");
        assert_eq!(normalize_name(" - "), "");
    }
}
