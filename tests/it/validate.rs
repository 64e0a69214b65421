//! `taxi-sim validate`: the dispatch model against Erlang A, B and C.

use crate::taxi_sim;

#[test]
fn quick_validation_agrees_with_erlang_a_b_and_c_in_json() {
    let output = taxi_sim()
        .args(["validate", "--quick", "--json"])
        .output()
        .unwrap();
    let document: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let cases = document["cases"].as_array().unwrap();
    assert!(cases.len() >= 9, "{} cases", cases.len());
    for formula in ["Erlang A", "Erlang B", "Erlang C"] {
        assert!(
            cases
                .iter()
                .any(|case| case["name"].as_str().unwrap().starts_with(formula)),
            "no {formula} case"
        );
    }
    for case in cases {
        let theory = case["theory"].as_f64().unwrap();
        let (low, high) = (
            case["ci_low"].as_f64().unwrap(),
            case["ci_high"].as_f64().unwrap(),
        );
        assert!(case["measure"].is_string() && case["mean"].is_f64());
        assert_eq!(
            case["pass"],
            serde_json::json!(low <= theory && theory <= high)
        );
        assert!(case["pass"].as_bool().unwrap(), "fails: {case}");
    }
    assert!(output.status.success());
}

#[test]
fn quick_validation_prints_a_table_with_a_verdict_per_case() {
    let output = taxi_sim().args(["validate", "--quick"]).output().unwrap();
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).unwrap();
    let header = text.lines().next().unwrap();
    for column in ["case", "measure", "theory", "mean", "99% CI", "verdict"] {
        assert!(header.contains(column), "{header}");
    }
    assert!(text.contains("Erlang B: M/G/10/10"), "{text}");
    assert_eq!(
        text.lines().filter(|line| line.ends_with("pass")).count(),
        13
    );
}
