//! Bad scenario files fail with the line and column of the offending value and what is wrong.

use tvaers_economics::Scenario;

const GOOD: &str = r#"format = 1
id = "x"
name_da = "X"
name_en = "X"
horizon_years = 3
discount_rate_percent = "3,5"

[[service]]
code = "A"
department = "beskaeftigelse"
kind = "indsats"
kr_per_year = 1000
"#;

/// Parses `text` and returns (line, column, message) of the error.
fn error(text: &str) -> (usize, usize, String) {
    let e = Scenario::parse(text, "bad.toml").expect_err("the file must be refused");
    assert!(
        e.to_string()
            .starts_with(&format!("bad.toml:{}:{}: ", e.line, e.column))
    );
    (e.line, e.column, e.message)
}

#[test]
fn the_minimal_file_parses() {
    let s = Scenario::parse(GOOD, "good.toml").unwrap();
    assert_eq!(s.discount_rate, 350);
    assert_eq!(s.persons, 1);
    assert_eq!(s.package[0].yearly.0, 100_000);
}

#[test]
fn unknown_department_names_line_and_choices() {
    let (line, column, msg) = error(&GOOD.replace("\"beskaeftigelse\"", "\"jobcenter\""));
    assert_eq!((line, column), (10, 14));
    assert!(msg.contains("unknown department \"jobcenter\""), "{msg}");
    assert!(msg.contains("beskaeftigelse"), "{msg}");
}

#[test]
fn money_as_a_float_is_refused() {
    let (line, column, msg) = error(&GOOD.replace("kr_per_year = 1000", "kr_per_year = 1000.5"));
    assert_eq!((line, column), (12, 15));
    assert!(msg.contains("decimal comma"), "{msg}");
}

#[test]
fn a_change_naming_a_missing_service_is_refused() {
    let text = format!("{GOOD}\n[[change]]\naction = \"remove\"\nservices = [\"A\", \"B\"]\n");
    let (line, column, msg) = error(&text);
    assert_eq!((line, column), (16, 18));
    assert!(msg.contains("service \"B\" is not in the package"), "{msg}");
}

#[test]
fn resize_without_percent_and_unknown_action() {
    let text = format!("{GOOD}\n[[change]]\naction = \"resize\"\nservices = [\"A\"]\n");
    let (line, _, msg) = error(&text);
    assert_eq!(line, 14);
    assert!(msg.contains("needs percent"), "{msg}");
    let text = format!("{GOOD}\n[[change]]\naction = \"double\"\nservices = [\"A\"]\n");
    let (line, column, msg) = error(&text);
    assert_eq!((line, column), (15, 10));
    assert!(msg.contains("unknown action \"double\""), "{msg}");
}

#[test]
fn out_of_range_values_are_refused() {
    let (line, _, msg) = error(&GOOD.replace("horizon_years = 3", "horizon_years = 31"));
    assert_eq!(line, 5);
    assert!(
        msg.contains("horizon_years must be a whole number from 1 to 30"),
        "{msg}"
    );
    let (line, _, msg) = error(&GOOD.replace("\"3,5\"", "\"3,555\""));
    assert_eq!(line, 6);
    assert!(msg.contains("at most two decimals"), "{msg}");
    let (line, _, msg) = error(&GOOD.replace("\"3,5\"", "60"));
    assert_eq!(line, 6);
    assert!(msg.contains("from 0 to 50"), "{msg}");
}

#[test]
fn unknown_keys_and_syntax_errors_have_a_place() {
    let (line, _, msg) =
        error(&GOOD.replace("kind = \"indsats\"", "kind = \"indsats\"\ncolour = 1"));
    assert_eq!(line, 12);
    assert!(msg.contains("colour"), "{msg}");
    let (line, _, _) = error(&GOOD.replace("code = \"A\"", "code = \"A"));
    assert_eq!(line, 9);
}

#[test]
fn both_price_forms_or_none_are_refused() {
    let (line, _, msg) =
        error(&GOOD.replace("kr_per_year = 1000", "kr_per_year = 1000\nquantity = 3"));
    assert_eq!(line, 8);
    assert!(
        msg.contains("either kr_per_year, or quantity and unit_price_kr"),
        "{msg}"
    );
}

#[test]
fn missing_keys_and_duplicates() {
    let (_, _, msg) = error(&GOOD.replace("horizon_years = 3\n", ""));
    assert!(msg.contains("no horizon_years"), "{msg}");
    let text = format!(
        "{GOOD}\n[[service]]\ncode = \"A\"\ndepartment = \"sundhed\"\nkind = \"indsats\"\nkr_per_year = 1\n"
    );
    let (line, _, msg) = error(&text);
    assert_eq!(line, 15);
    assert!(msg.contains("appears twice"), "{msg}");
    let (line, _, msg) = error(&GOOD.replace("format = 1", "format = 2"));
    assert_eq!(line, 1);
    assert!(msg.contains("unsupported format 2"), "{msg}");
}
