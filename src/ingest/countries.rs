//! Country names, codes and aliases → ISO 3166-1 alpha-2, with organisations kept apart.
//!
//! The ISO names and codes come from the `isocountry` crate; the aliases people
//! actually write (`the Netherlands`, `UK`, `Czech Republic`, `Luxemburg`) are listed
//! here, and more can be added in `[countries.aliases]`.

use rustc_hash::FxHashMap as HashMap;

use crate::config::Config;
use crate::model::Place;
use crate::text::normalise;

const ALIASES: &[(&str, &str)] = &[
    ("UK", "GB"),
    ("Great Britain", "GB"),
    ("Britain", "GB"),
    ("United Kingdom", "GB"),
    ("England", "GB"),
    ("USA", "US"),
    ("US", "US"),
    ("United States", "US"),
    ("America", "US"),
    ("Czech Republic", "CZ"),
    ("Holland", "NL"),
    ("Luxemburg", "LU"),
    ("EL", "GR"),
    ("Türkiye", "TR"),
    ("Turkiye", "TR"),
    ("Russia", "RU"),
    ("Moldova", "MD"),
    ("Syria", "SY"),
    ("Iran", "IR"),
    ("Bolivia", "BO"),
    ("Venezuela", "VE"),
    ("Tanzania", "TZ"),
    ("Vietnam", "VN"),
    ("Viet Nam", "VN"),
    ("Laos", "LA"),
    ("South Korea", "KR"),
    ("Korea", "KR"),
    ("North Korea", "KP"),
    ("North Macedonia", "MK"),
    ("Macedonia", "MK"),
    ("DR Congo", "CD"),
    ("DRC", "CD"),
    ("Democratic Republic of the Congo", "CD"),
    ("Congo", "CG"),
    ("Ivory Coast", "CI"),
    ("Côte d'Ivoire", "CI"),
    ("Palestine", "PS"),
    ("Swaziland", "SZ"),
    ("Eswatini", "SZ"),
    ("Burma", "MM"),
    ("Myanmar", "MM"),
    ("Cape Verde", "CV"),
    ("Kosovo", "XK"),
    ("Vatican", "VA"),
    ("Taiwan", "TW"),
];

/// Names exactly as commonly written → place: ISO codes, ISO short names and the
/// aliases above, as spelt, where they mean the same as their normalised form.
pub fn exact_table(config: &Config) -> HashMap<String, Place> {
    let normalised = table(config);
    let mut exact = HashMap::default();
    let spellings = config
        .countries
        .organisations
        .iter()
        .map(String::as_str)
        .chain(config.countries.aliases.keys().map(String::as_str))
        .chain(ALIASES.iter().map(|(name, _)| *name))
        .chain(ALIASES.iter().map(|(_, code)| *code))
        .chain(
            isocountry::CountryCode::iter()
                .flat_map(|c| [c.alpha2(), c.alpha3(), c.name(), c.name().split(" (").next().unwrap_or("")]),
        );
    for spelling in spellings {
        if let Some(place) = normalised.get(&normalise(spelling)) {
            exact.entry(spelling.to_string()).or_insert_with(|| place.clone());
        }
    }
    exact
}

/// Normalised name → place. Organisations first, so `IOM` is never a country code.
pub fn table(config: &Config) -> HashMap<String, Place> {
    let mut table = HashMap::default();
    for organisation in &config.countries.organisations {
        table.insert(normalise(organisation), Place::Organisation(organisation.clone()));
    }
    let mut add = |name: &str, code: &str| {
        table.entry(normalise(name)).or_insert_with(|| Place::Country(code.to_string()));
    };
    for (name, code) in &config.countries.aliases {
        add(name, &code.to_ascii_uppercase());
    }
    for (name, code) in ALIASES {
        add(name, code);
    }
    for country in isocountry::CountryCode::iter() {
        let code = country.alpha2();
        add(country.name(), code);
        // "Bolivia (Plurinational State of)" is also "Bolivia".
        if let Some((short, _)) = country.name().split_once(" (") {
            add(short, code);
        }
        add(code, code);
        add(country.alpha3(), code);
    }
    // A code an alias gives that is not an ISO one (Kosovo's XK) is a spelling of
    // itself too, as ISO codes are: an export writes the code and reads it back.
    let codes: Vec<String> = config
        .countries
        .aliases
        .values()
        .map(|code| code.to_ascii_uppercase())
        .chain(ALIASES.iter().map(|(_, code)| code.to_string()))
        .collect();
    for code in &codes {
        add(code, code);
    }
    table
}
