//! Word pools for generated programmes: accents, ampersands and quotes on purpose, so
//! that the reader's entity and UTF-8 paths are in every measurement.

/// Titles, `(english, french)`.
pub const TITLES: &[(&str, &str)] = &[
    ("Tom & Jerry", "Tom et Jerry"),
    ("Les Misérables", "Les Misérables"),
    ("The Great Bake Off", "Le Meilleur Pâtissier"),
    ("Café Society", "Café Society"),
    ("Über den Wolken", "Au-dessus des nuages"),
    ("Evening News", "Journal du soir"),
    ("Planet Earth", "Planète Terre"),
    ("Doctor Who", "Doctor Who"),
    ("Crème de la crème", "Crème de la crème"),
    ("Rock & Roll Years", "Les années rock"),
    ("Champions League: Live", "Ligue des champions : en direct"),
    ("Señor Ávila", "Señor Ávila"),
    ("World Weather", "Météo du monde"),
    ("Cooking with \"Chef\" Noël", "La cuisine de Noël"),
];

/// Words of descriptions.
pub const WORDS: &[&str] = &[
    "a",
    "the",
    "and",
    "&",
    "of",
    "journey",
    "évasion",
    "through",
    "city",
    "night",
    "family",
    "secret",
    "détective",
    "café",
    "storm",
    "island",
    "mystery",
    "fiancée",
    "über",
    "naïve",
    "return",
    "friends",
    "science",
    "history",
    "music",
    "coração",
    "world",
    "champion",
    "live",
    "premiere",
    "garçon",
    "rivals",
    "crème",
    "déjà",
    "vu",
    "season",
    "finale",
    "documentary",
    "<unexpected>",
    "brings",
    "together",
    "old",
    "new",
    "river",
    "mountain",
    "señora",
];

/// People.
pub const PEOPLE: &[&str] = &[
    "Amélie Dupré",
    "John O'Neill",
    "Zoë Saldaña",
    "François Ozon",
    "Björk Guðmundsdóttir",
    "Renée Zellweger",
    "Penélope Cruz",
    "Jürgen Prochnow",
    "Chloë Sevigny",
    "Antonio Bañeras",
    "Mary-Kate Smith",
    "Søren Kierkegaard",
    "Ana de Armas",
    "Idris Elba",
];

/// Characters for actors' `role` attributes.
pub const CHARACTERS: &[&str] = &[
    "Inspector Maigret",
    "Dr. Watson",
    "La Comtesse",
    "Jean Valjean",
    "Captain \"Red\"",
    "The Stranger",
    "Élise",
    "Narrator",
];

/// Categories, `(english, french)`.
pub const CATEGORIES: &[(&str, &str)] = &[
    ("Drama", "Drame"),
    ("News", "Informations"),
    ("Sports", "Sport"),
    ("Documentary", "Documentaire"),
    ("Comedy", "Comédie"),
    ("Movie", "Film"),
    ("Children", "Jeunesse"),
    ("Music", "Musique"),
];

/// `(country code, UTC offset in minutes)` per channel, cycled.
pub const ZONES: &[(&str, i32)] = &[
    ("FR", 60),
    ("GB", 0),
    ("DE", 120),
    ("US", -300),
    ("IN", 330),
    ("BR", -180),
];
