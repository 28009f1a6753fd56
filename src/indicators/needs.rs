//! Needs coverage and peer matching (SPEC §6).
//!
//! A need (c, p) is met when an activity of the period had c among its
//! participating countries and covered phase p. For every unmet need, countries
//! with a profile that are `experienced` in p are scored on welfare support,
//! governance, scale and an existing relationship; unknown inputs score 0.5.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use rustc_hash::FxHashSet;

use super::stats::share;
use super::{Components, Computed, Indicator, NeedMatches, NeedStatus, Population, Suggestion};
use crate::config::MatchingWeights;
use crate::model::{CountryProfile, Experience, Place};

type NeedSection = (BTreeMap<&'static str, Indicator>, Vec<NeedStatus>, Vec<NeedMatches>);

pub fn section(pop: &Population) -> NeedSection {
    let mut indicators = BTreeMap::new();
    // Distinct needs, sorted by (country, phase order: the `#` of SPEC §5.1).
    let mut distinct: Vec<(&Place, &str)> =
        pop.data.needs.iter().map(|n| (&n.country, n.phase.as_str())).collect::<BTreeSet<_>>().into_iter().collect();
    let order = phase_order(pop);
    distinct.sort_by_key(|(country, phase)| (country.key(), order(phase), *phase));
    // Every (participating place, phase) an activity of the period covered, once.
    let covered: FxHashSet<(&Place, &str)> = pop
        .activities
        .iter()
        .flat_map(|a| a.participating.iter().flat_map(|c| a.phases.iter().map(move |p| (c, p.as_str()))))
        .collect();
    let statuses: Vec<NeedStatus> = distinct
        .iter()
        .map(|&(country, phase)| NeedStatus {
            country: country.key().to_string(),
            phase: phase.to_string(),
            met: covered.contains(&(country, phase)),
        })
        .collect();
    let (expressed, met_rate) = if statuses.is_empty() {
        (Computed::none(0), Computed::none(0))
    } else {
        let met = statuses.iter().filter(|s| s.met).count();
        (
            Computed::count(statuses.len() as u64, statuses.len()),
            Computed::real(share(met, statuses.len()), statuses.len()),
        )
    };
    let k = pop.min_group();
    indicators.insert("needs_expressed", Indicator::of("needs_expressed", expressed, k));
    let high_priority = high_priority_met(pop, &statuses);
    indicators.insert("high_priority_needs_met_rate", Indicator::of("high_priority_needs_met_rate", high_priority, k));
    indicators.insert("needs_met_rate", Indicator::of("needs_met_rate", met_rate, k));
    indicators
        .insert("emerging_participation_share", Indicator::of("emerging_participation_share", emerging_share(pop), k));

    let profiles: HashMap<&str, &CountryProfile> = pop.data.countries.iter().map(|p| (p.country.key(), p)).collect();
    let partners = relationships(pop);
    let matches = distinct
        .iter()
        .zip(&statuses)
        .filter(|(_, status)| !status.met)
        .map(|((country, phase), _)| NeedMatches {
            country: country.key().to_string(),
            phase: phase.to_string(),
            suggestions: suggest(pop, country.key(), phase, &profiles, &partners),
        })
        .collect();
    (indicators, statuses, matches)
}

/// Share of high-priority needs that are met: a need (c, p) is high-priority when
/// one of its rows gives priority 1; no value when no need has a priority.
fn high_priority_met(pop: &Population, statuses: &[NeedStatus]) -> Computed {
    if pop.data.needs.iter().all(|n| n.priority.is_none()) {
        return Computed::none(0);
    }
    let high: BTreeSet<(&str, &str)> =
        pop.data.needs.iter().filter(|n| n.priority == Some(1)).map(|n| (n.country.key(), n.phase.as_str())).collect();
    let met = statuses.iter().filter(|s| s.met && high.contains(&(s.country.as_str(), s.phase.as_str()))).count();
    Computed::real(share(met, high.len()), high.len())
}

/// A phase's position in the process (its `#`); phases outside the taxonomy last.
fn phase_order<'a>(pop: &'a Population) -> impl Fn(&str) -> u32 + 'a {
    move |phase| pop.config.taxonomy.phases.iter().find(|p| p.id == phase).map_or(u32::MAX, |p| p.number)
}

/// Share of participating-country slots whose profile says new or emerging.
fn emerging_share(pop: &Population) -> Computed {
    let experience: HashMap<&str, Experience> =
        pop.data.countries.iter().filter_map(|p| p.experience.map(|e| (p.country.key(), e))).collect();
    let known: Vec<Experience> = pop
        .activities
        .iter()
        .flat_map(|a| a.participating.iter())
        .filter_map(|place| place.code().and_then(|code| experience.get(code).copied()))
        .collect();
    let emerging = known.iter().filter(|e| matches!(e, Experience::New | Experience::Emerging)).count();
    Computed::real(share(emerging, known.len()), known.len())
}

/// Pairs of places that took part (as participant or host) in a common activity.
fn relationships<'a>(pop: &Population<'a>) -> FxHashSet<(&'a str, &'a str)> {
    let mut pairs = FxHashSet::default();
    for activity in &pop.activities {
        let involved: BTreeSet<&str> =
            activity.participating.iter().chain(activity.host_country.iter()).map(Place::key).collect();
        for a in &involved {
            for b in &involved {
                if a != b {
                    pairs.insert((*a, *b));
                }
            }
        }
    }
    pairs
}

/// Top suggestions for one unmet need, best first, ties by country code.
fn suggest(
    pop: &Population,
    country: &str,
    phase: &str,
    profiles: &HashMap<&str, &CountryProfile>,
    partners: &FxHashSet<(&str, &str)>,
) -> Vec<Suggestion> {
    let own = profiles.get(country).copied();
    let weights = &pop.config.matching.weights;
    let mut candidates: Vec<Suggestion> = pop
        .data
        .countries
        .iter()
        .filter(|d| matches!(d.country, Place::Country(_)) && d.country.key() != country)
        .filter(|d| d.experience_in(phase) == Some(Experience::Experienced))
        .map(|d| {
            let components = components(own, d, partners.contains(&(country, d.country.key())));
            Suggestion { country: d.country.key().to_string(), score: weighted(&components, weights), components }
        })
        .collect();
    candidates.sort_by(|a, b| b.score.total_cmp(&a.score).then_with(|| a.country.cmp(&b.country)));
    candidates.truncate(pop.config.matching.top);
    candidates
}

/// The four components in [0, 1]; 0.5 where an input is unknown.
pub fn components(own: Option<&CountryProfile>, peer: &CountryProfile, related: bool) -> Components {
    let both = |f: fn(&CountryProfile) -> Option<f64>| own.and_then(f).zip(f(peer));
    let welfare = both(|p| p.welfare_support_months).map(|(a, b)| 1.0 - ((a - b).abs() / 36.0).min(1.0)).unwrap_or(0.5);
    let governance = match (own.and_then(|p| p.governance.as_ref()), peer.governance.as_ref()) {
        (Some(a), Some(b)) => f64::from(u8::from(a == b)),
        _ => 0.5,
    };
    let scale = both(|p| p.annual_quota)
        .map(|(a, b)| 1.0 - (((1.0 + a).log10() - (1.0 + b).log10()).abs() / 2.0).min(1.0))
        .unwrap_or(0.5);
    let relationship = if related { 1.0 } else { 0.0 };
    Components { governance, relationship, scale, welfare }
}

/// Weighted mean of the components.
pub fn weighted(c: &Components, w: &MatchingWeights) -> f64 {
    let total = w.welfare + w.governance + w.scale + w.relationship;
    (w.welfare * c.welfare + w.governance * c.governance + w.scale * c.scale + w.relationship * c.relationship) / total
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Origin;

    fn profile(code: &str, months: Option<f64>, governance: Option<&str>, quota: Option<f64>) -> CountryProfile {
        CountryProfile {
            country: Place::Country(code.into()),
            experience: Some(Experience::Experienced),
            phase_experience: BTreeMap::new(),
            welfare_support_months: months,
            governance: governance.map(str::to_string),
            annual_quota: quota,
            origin: Origin { sheet: crate::model::SheetId::default(), row: 0 },
        }
    }

    #[test]
    fn components_by_hand() {
        // Months 12 vs 24: 1 − 12/36 = 2/3. Quotas 99 vs 9999: |2 − 4| / 2 = 1 → 0.
        let a = profile("AA", Some(12.0), Some("federal"), Some(99.0));
        let b = profile("BB", Some(24.0), Some("federal"), Some(9999.0));
        let c = components(Some(&a), &b, true);
        assert!((c.welfare - 2.0 / 3.0).abs() < 1e-12);
        assert_eq!(c.governance, 1.0);
        assert!(c.scale.abs() < 1e-12);
        assert_eq!(c.relationship, 1.0);
        // (2/3 + 1 + 0 + 0.5·1) / 3.5
        let score = weighted(&c, &MatchingWeights::default());
        assert!((score - (2.0 / 3.0 + 1.5) / 3.5).abs() < 1e-12);
    }

    #[test]
    fn unknown_inputs_score_one_half() {
        let b = profile("BB", Some(24.0), Some("federal"), Some(100.0));
        let c = components(None, &b, false);
        assert_eq!((c.welfare, c.governance, c.scale, c.relationship), (0.5, 0.5, 0.5, 0.0));
        let a = profile("AA", None, Some("centralised"), Some(9.0));
        let c = components(Some(&a), &b, false);
        assert_eq!(c.welfare, 0.5);
        assert_eq!(c.governance, 0.0);
        // |log10(10) − log10(101)| / 2 = (log10(101) − 1) / 2
        assert!((c.scale - (1.0 - (101f64.log10() - 1.0) / 2.0)).abs() < 1e-12);
    }
}
