//! The Per scenario as a published document: the tables, the headline figures on the page, both
//! languages.

use tvaers_core::Ore;
use tvaers_economics::publish::{Report, publish};
use tvaers_economics::{Scenario, network, potential, separate_unit};
use tvaers_messages::Lang;
use tvaers_report::model::{TableId, Value};

fn per_document(lang: Lang) -> tvaers_report::model::Document {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../scenarios/per.toml"
    ))
    .unwrap();
    let s = Scenario::parse(&text, "per.toml").unwrap();
    let p = potential(&s).unwrap();
    let n = network(&s, &p).unwrap();
    let u = separate_unit(&s, &p).unwrap();
    publish(
        &Report {
            scenario: &s,
            potential: &p,
            network: &n,
            unit: &u,
            baseline: None,
        },
        lang,
    )
}

#[test]
fn per_report_shows_895_000_and_408_500() {
    let doc = per_document(Lang::Da);
    let kf = doc.table(TableId::EconKeyFigures).expect("key figures");
    let money: Vec<Ore> = kf
        .rows
        .iter()
        .filter_map(|r| match r[1] {
            Value::Money(o) => Some(o),
            _ => None,
        })
        .collect();
    assert!(money.contains(&Ore::from_kroner(895_000)), "{money:?}");
    assert!(money.contains(&Ore::from_kroner(408_500)), "{money:?}");
    for id in [
        TableId::EconDepartments,
        TableId::EconPackage,
        TableId::EconYears,
        TableId::EconSensitivity,
        TableId::EconTransfers,
        TableId::EconViolations,
        TableId::EconUnit,
    ] {
        assert!(doc.table(id).is_some(), "{id:?}");
    }
    assert!(
        doc.table(TableId::EconBaseline).is_none(),
        "no register, no baseline"
    );
    assert_eq!(doc.table(TableId::EconYears).unwrap().rows.len(), 5);
    assert_eq!(doc.table(TableId::EconSensitivity).unwrap().rows.len(), 9);
    let html = tvaers_report::html(&doc);
    assert!(html.contains("895.000"), "Danish thousands separator");
    assert!(html.contains("408.500"));
    assert!(html.contains("<svg"), "charts are drawn");
    assert_eq!(doc.summary["potential"]["npv"], 215_520_442);
    let en = tvaers_report::html(&per_document(Lang::En));
    assert!(en.contains("895,000") && en.contains("408,500"));
    assert!(en.contains("economics"));
}
