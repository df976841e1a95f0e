//! The overlap and conflict alerts of one citizen, from the rules engine
//! (`tvaers_rules::evaluate_person`) run on a tiny identified register: the citizen's family
//! (for its structure) and the citizen's own services **of the categories the access rule
//! allowed** — nothing the user may not see can make an alert appear. Family rules therefore
//! see no other member's services (those are the other members' data).

use std::collections::HashMap;
use tvaers_core::{
    AccountFunction, Catalogue, Identified, IdentifiedPerson, Period, PersonIx, Quantity, Register,
    ServiceEntry, ServiceIx, ServiceKind, Spell, Unit,
};
use tvaers_rules::{Alert, Index, RuleSet, evaluate_person};
use tvaers_store::{Citizen, ServiceRecord, Store};

/// [`alerts`] for a handler: the citizen's family from the store, then the rules engine off the
/// async runtime (it is CPU work), with the server's rules, catalogue and today. The state is
/// moved in as a cheap handle, so no request copies the rule set.
pub(crate) async fn alerts_of(
    state: &crate::AppState,
    citizen: Citizen,
    services: Vec<ServiceRecord>,
) -> Result<(Vec<Alert>, Vec<String>), crate::problem::ApiError> {
    let family = state.store().family(citizen.id).await?;
    let today = state.now().date_naive();
    let state = state.clone();
    tokio::task::spawn_blocking(move || {
        alerts(
            &citizen,
            &family,
            &services,
            state.settings().catalogue.as_deref(),
            state.rules(),
            today,
        )
    })
    .await
    .map_err(|_| crate::problem::ApiError::internal())
}

/// The register of `citizen` (index 0) and the rest of the family, with `services` (the
/// citizen's allowed services), and the alerts over the services' whole span up to `today`.
pub fn alerts(
    citizen: &Citizen,
    family: &[Citizen],
    services: &[ServiceRecord],
    catalogue: Option<&Catalogue>,
    rules: &RuleSet,
    today: chrono::NaiveDate,
) -> (Vec<Alert>, Vec<String>) {
    let mut persons = vec![person(citizen)];
    persons.extend(family.iter().filter(|c| c.id != citizen.id).map(person));
    let mut entries: Vec<ServiceEntry> = Vec::new();
    let mut by_code: HashMap<&str, u32> = HashMap::new();
    let mut spells = Vec::with_capacity(services.len());
    for s in services {
        let ix = *by_code.entry(s.code.as_str()).or_insert_with(|| {
            entries.push(entry(s, catalogue));
            (entries.len() - 1) as u32
        });
        spells.push(Spell {
            person: PersonIx(0),
            service: ServiceIx(ix),
            start: s.start,
            end: s.end,
            volume: Quantity(s.volume_milli),
            contact: None,
        });
    }
    let codes: Vec<String> = entries.iter().map(|e| e.code.clone()).collect();
    let Some(first) = services.iter().map(|s| s.start).min() else {
        return (vec![], codes);
    };
    let last = services
        .iter()
        .map(|s| s.end.unwrap_or(today))
        .max()
        .unwrap_or(today)
        .max(first);
    let reg = Register::<Identified> {
        persons,
        relations: vec![],
        catalogue: Catalogue::new(entries).expect("one entry per code"),
        contacts: vec![],
        spells,
        postings: vec![],
        prices: vec![],
    };
    let idx = Index::build(&reg);
    let period = Period::new(first, last).expect("last is not before first");
    (
        evaluate_person(&reg, &idx, rules, PersonIx(0), period),
        codes,
    )
}

fn person(c: &Citizen) -> IdentifiedPerson {
    IdentifiedPerson {
        cpr: c.cpr.clone(),
        birth_date: c.birth_date,
        sex: c.sex,
        family: c.family_key.clone(),
    }
}

fn entry(s: &ServiceRecord, catalogue: Option<&Catalogue>) -> ServiceEntry {
    if let Some(e) = catalogue
        .and_then(|c| c.entries().iter().find(|e| e.code == s.code))
        .filter(|e| e.department == s.department)
    {
        return e.clone();
    }
    ServiceEntry {
        code: s.code.clone(),
        name_da: s.name_da.clone(),
        name_en: s.name_da.clone(),
        department: s.department,
        kind: ServiceKind::Intervention,
        legal_basis: s.legal_basis.clone(),
        unit: Unit::ALL
            .into_iter()
            .find(|u| u.code() == s.unit)
            .unwrap_or(Unit::Hour),
        function: AccountFunction {
            main_account: 0,
            main_function: 0,
            function: 0,
        },
        tags: vec![],
    }
}
