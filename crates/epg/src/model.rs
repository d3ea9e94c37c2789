//! The XMLTV data model shared by every stage: the reader fills it, the importer stores
//! it (as JSON beside indexed columns), the guide and the exporter read it back.
//!
//! Field order follows the XMLTV DTD so that the writer can emit elements in the order
//! the DTD requires, whatever order the input used. Empty collections and absent values
//! are skipped when serialised, which keeps the stored JSON small.

use serde::{Deserialize, Serialize};

/// Text with an optional `lang` attribute (`title`, `desc`, `category`, …).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct LangText {
    /// The element's text, entities decoded, surrounding whitespace trimmed.
    pub value: String,
    /// The `lang` attribute, as given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lang: Option<String>,
}

impl LangText {
    /// Text without a language.
    pub fn new(value: impl Into<String>) -> Self {
        Self {
            value: value.into(),
            lang: None,
        }
    }
}

/// An `<icon>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Icon {
    /// The `src` attribute.
    pub src: String,
    /// The `width` attribute.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub width: Option<u32>,
    /// The `height` attribute.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub height: Option<u32>,
}

/// A `<url>` with its optional `system`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Url {
    /// The URL text.
    pub value: String,
    /// The `system` attribute.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system: Option<String>,
}

/// An `<image>` (programme or person).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Image {
    /// The image URL.
    pub value: String,
    /// `poster`, `backdrop`, `still`, `person` or `character`.
    #[serde(default, skip_serializing_if = "Option::is_none", rename = "type")]
    pub kind: Option<String>,
    /// `1`, `2` or `3`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<String>,
    /// `P` or `L`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub orient: Option<String>,
    /// The `system` attribute.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system: Option<String>,
}

/// A `<channel>` of a feed.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Channel {
    /// The feed's channel id: any string (spaces, `@` suffixes and bare numbers occur).
    pub id: String,
    /// Every `<display-name>`, in feed order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub display_names: Vec<LangText>,
    /// Every `<icon>`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub icons: Vec<Icon>,
    /// Every `<url>`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub urls: Vec<Url>,
    /// A logical channel number (`<lcn>`, not in the DTD but common).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lcn: Option<String>,
}

/// The role of a person in `<credits>`, in DTD order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// `<director>`
    Director,
    /// `<actor>`
    Actor,
    /// `<writer>`
    Writer,
    /// `<adapter>`
    Adapter,
    /// `<producer>`
    Producer,
    /// `<composer>`
    Composer,
    /// `<editor>`
    Editor,
    /// `<presenter>`
    Presenter,
    /// `<commentator>`
    Commentator,
    /// `<guest>`
    Guest,
}

impl Role {
    /// Every role, in the order the DTD lists them inside `<credits>`.
    pub const ALL: [Role; 10] = [
        Role::Director,
        Role::Actor,
        Role::Writer,
        Role::Adapter,
        Role::Producer,
        Role::Composer,
        Role::Editor,
        Role::Presenter,
        Role::Commentator,
        Role::Guest,
    ];

    /// The element name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Director => "director",
            Role::Actor => "actor",
            Role::Writer => "writer",
            Role::Adapter => "adapter",
            Role::Producer => "producer",
            Role::Composer => "composer",
            Role::Editor => "editor",
            Role::Presenter => "presenter",
            Role::Commentator => "commentator",
            Role::Guest => "guest",
        }
    }

    /// The role for an element name.
    pub fn from_name(name: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == name)
    }
}

/// One person in `<credits>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Credit {
    /// Which element the person came from.
    pub role: Role,
    /// The person's name.
    pub name: String,
    /// For actors: the `role` attribute (the character played).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub character: Option<String>,
    /// For actors: `guest="yes"`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub guest: bool,
    /// `<image>` children.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub images: Vec<Image>,
    /// `<url>` children.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub urls: Vec<Url>,
}

/// `<length units="…">`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Length {
    /// The number as given.
    pub value: u32,
    /// `seconds`, `minutes` or `hours`.
    pub units: String,
}

/// An `<episode-num>`, raw, with what could be parsed from it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EpisodeNum {
    /// The `system` attribute (`xmltv_ns`, `onscreen`, `dd_progid`, …); the DTD's default is `onscreen`.
    pub system: String,
    /// The raw text.
    pub value: String,
}

/// `<video>`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Video {
    /// `<present>`
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub present: Option<String>,
    /// `<colour>`
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub colour: Option<String>,
    /// `<aspect>`
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aspect: Option<String>,
    /// `<quality>`
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quality: Option<String>,
}

/// `<audio>`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Audio {
    /// `<present>`
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub present: Option<String>,
    /// `<stereo>`
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stereo: Option<String>,
}

/// `<previously-shown>`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct PreviouslyShown {
    /// The `start` attribute, raw.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<String>,
    /// The `channel` attribute.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<String>,
}

/// `<subtitles>`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Subtitles {
    /// `teletext`, `onscreen` or `deaf-signed`.
    #[serde(default, skip_serializing_if = "Option::is_none", rename = "type")]
    pub kind: Option<String>,
    /// The `<language>` child.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<LangText>,
}

/// `<rating>` or `<star-rating>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rating {
    /// The `<value>` text (`PG`, `3/5`, …).
    pub value: String,
    /// The `system` attribute.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system: Option<String>,
    /// `<icon>` children.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub icons: Vec<Icon>,
}

/// `<review>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Review {
    /// `text` or `url`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The review text or URL.
    pub value: String,
    /// The `source` attribute.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// The `reviewer` attribute.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reviewer: Option<String>,
    /// The `lang` attribute.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lang: Option<String>,
}

/// A `<programme>`. Times are UTC seconds since the Unix epoch; the offsets (seconds east
/// of UTC) the feed wrote them with are kept so that an export can write them back.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Programme {
    /// The feed's channel id (the `channel` attribute).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub channel: String,
    /// Start, UTC seconds.
    pub start: i64,
    /// Stop, UTC seconds; `None` until inferred from the next programme.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stop: Option<i64>,
    /// The UTC offset, in seconds, the feed gave with `start`.
    #[serde(default)]
    pub start_offset: i32,
    /// The UTC offset, in seconds, the feed gave with `stop`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stop_offset: Option<i32>,
    /// `pdc-start`, raw.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pdc_start: Option<String>,
    /// `vps-start`, raw.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vps_start: Option<String>,
    /// `showview`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub showview: Option<String>,
    /// `videoplus`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub videoplus: Option<String>,
    /// `clumpidx`, when not the default `0/1`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clumpidx: Option<String>,
    /// Every `<title>` (at least one in a valid record).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub titles: Vec<LangText>,
    /// Every `<sub-title>`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sub_titles: Vec<LangText>,
    /// Every `<desc>`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub descs: Vec<LangText>,
    /// `<credits>`, in document order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub credits: Vec<Credit>,
    /// `<date>`, raw (`2003`, `20030216`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// Every `<category>`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub categories: Vec<LangText>,
    /// Every `<keyword>`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub keywords: Vec<LangText>,
    /// `<language>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<LangText>,
    /// `<orig-language>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub orig_language: Option<LangText>,
    /// `<length>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub length: Option<Length>,
    /// Every `<icon>`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub icons: Vec<Icon>,
    /// Every `<url>`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub urls: Vec<Url>,
    /// Every `<country>`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub countries: Vec<LangText>,
    /// Every `<episode-num>`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub episode_nums: Vec<EpisodeNum>,
    /// `<video>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub video: Option<Video>,
    /// `<audio>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audio: Option<Audio>,
    /// `<previously-shown>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previously_shown: Option<PreviouslyShown>,
    /// `<premiere>` (its text may be empty).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub premiere: Option<LangText>,
    /// `<last-chance>` (its text may be empty).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_chance: Option<LangText>,
    /// `<new/>`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub new: bool,
    /// `<live/>`: not in the DTD, but feeds use it; kept, not exported.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub live: bool,
    /// Every `<subtitles>`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub subtitles: Vec<Subtitles>,
    /// Every `<rating>`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ratings: Vec<Rating>,
    /// Every `<star-rating>`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub star_ratings: Vec<Rating>,
    /// Every `<review>`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reviews: Vec<Review>,
    /// Every `<image>`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub images: Vec<Image>,
}

/// Season, episode and part numbers, one-based, parsed from `xmltv_ns` or `onscreen`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct EpisodeInfo {
    /// Season number, one-based.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub season: Option<u32>,
    /// Episode number, one-based.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub episode: Option<u32>,
    /// Part number, one-based.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub part: Option<u32>,
}

/// The `<tv>` element's attributes.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct TvInfo {
    /// `date`
    pub date: Option<String>,
    /// `source-info-url`
    pub source_info_url: Option<String>,
    /// `source-info-name`
    pub source_info_name: Option<String>,
    /// `source-data-url`
    pub source_data_url: Option<String>,
    /// `generator-info-name`
    pub generator_info_name: Option<String>,
    /// `generator-info-url`
    pub generator_info_url: Option<String>,
}
