//! Season, episode and part numbers from `<episode-num>`.

use crate::model::{EpisodeInfo, EpisodeNum};

/// `xmltv_ns` when it gives anything, else the first `onscreen` that does.
pub(super) fn parse(nums: &[EpisodeNum]) -> EpisodeInfo {
    let found = |system: &str, f: fn(&str) -> EpisodeInfo| {
        nums.iter()
            .filter(|n| n.system.eq_ignore_ascii_case(system))
            .map(|n| f(&n.value))
            .find(|info| *info != EpisodeInfo::default())
    };
    found("xmltv_ns", xmltv_ns)
        .or_else(|| found("onscreen", onscreen))
        .unwrap_or_default()
}

/// `season.episode.part`, each zero-based with an optional `/total`, any part empty:
/// `0.4.` is season 1 episode 5, `1.2.0/2` is season 2 episode 3 part 1.
fn xmltv_ns(value: &str) -> EpisodeInfo {
    let mut parts = value.split('.').map(|part| {
        let number = part.split('/').next().unwrap_or("").trim();
        number.parse::<u32>().ok().and_then(|n| n.checked_add(1))
    });
    EpisodeInfo {
        season: parts.next().flatten(),
        episode: parts.next().flatten(),
        part: parts.next().flatten(),
    }
}

/// Forms people write, numbers one-based as written: `S01E02`, `s1 e2`, `1x02`,
/// `Season 1 Episode 2`, `Series 2, Episode 3, Part 1`.
fn onscreen(value: &str) -> EpisodeInfo {
    let mut info = EpisodeInfo::default();
    let mut word = String::new();
    let mut previous_number: Option<u32> = None;
    let mut chars = value.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_ascii_digit() {
            let mut digits = String::new();
            while let Some(d) = chars.next_if(char::is_ascii_digit) {
                digits.push(d);
            }
            let number = digits.parse().ok();
            match word.as_str() {
                "s" | "season" | "series" => info.season = info.season.or(number),
                "e" | "ep" | "episode" => info.episode = info.episode.or(number),
                "p" | "pt" | "part" => info.part = info.part.or(number),
                "x" if previous_number.is_some() => {
                    info.season = info.season.or(previous_number);
                    info.episode = info.episode.or(number);
                }
                _ => {}
            }
            previous_number = number;
            word.clear();
        } else if c.is_alphabetic() {
            if previous_number.is_some() && word.is_empty() && !c.eq_ignore_ascii_case(&'x') {
                previous_number = None;
            }
            word.extend(c.to_lowercase());
            chars.next();
        } else {
            // Separators between a keyword and its number ("Season 1", "E.02") are
            // allowed; anything else ends the keyword.
            if !matches!(c, ' ' | '.' | ':' | '-' | '_') {
                word.clear();
                previous_number = None;
            }
            chars.next();
        }
    }
    info
}

#[cfg(test)]
mod tests {
    use super::*;

    fn num(system: &str, value: &str) -> EpisodeNum {
        EpisodeNum {
            system: system.into(),
            value: value.into(),
        }
    }

    fn info(season: Option<u32>, episode: Option<u32>, part: Option<u32>) -> EpisodeInfo {
        EpisodeInfo {
            season,
            episode,
            part,
        }
    }

    #[test]
    fn xmltv_ns_is_zero_based() {
        let cases = [
            ("0.4.", info(Some(1), Some(5), None)),
            (".4/10.", info(None, Some(5), None)),
            ("1.2.0/2", info(Some(2), Some(3), Some(1))),
            ("2 . 9 . 0/1", info(Some(3), Some(10), Some(1))),
            ("1/5.0/12.", info(Some(2), Some(1), None)),
            ("..", info(None, None, None)),
            ("x.y.z", info(None, None, None)),
        ];
        for (value, expected) in cases {
            assert_eq!(parse(&[num("xmltv_ns", value)]), expected, "{value}");
        }
    }

    #[test]
    fn onscreen_is_as_written() {
        let cases = [
            ("S01E02", info(Some(1), Some(2), None)),
            ("s1 e2", info(Some(1), Some(2), None)),
            ("1x02", info(Some(1), Some(2), None)),
            ("Season 1 Episode 2", info(Some(1), Some(2), None)),
            (
                "Series 2/10, Episode 3/4, Part 1",
                info(Some(2), Some(3), Some(1)),
            ),
            ("E05", info(None, Some(5), None)),
            ("S2024E117", info(Some(2024), Some(117), None)),
            ("Folge 12", info(None, None, None)),
            ("", info(None, None, None)),
        ];
        for (value, expected) in cases {
            assert_eq!(parse(&[num("onscreen", value)]), expected, "{value}");
        }
    }

    #[test]
    fn xmltv_ns_wins_over_onscreen_and_empty_ones_fall_through() {
        let both = [num("onscreen", "S09E09"), num("xmltv_ns", "0.1.")];
        assert_eq!(parse(&both), info(Some(1), Some(2), None));
        let empty_ns = [num("xmltv_ns", ".."), num("onscreen", "S09E09")];
        assert_eq!(parse(&empty_ns), info(Some(9), Some(9), None));
        assert_eq!(
            parse(&[num("dd_progid", "EP01.02")]),
            info(None, None, None)
        );
    }
}
