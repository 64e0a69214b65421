//! Scenarios shipped in `scenarios/` and embedded in the binary, so that
//! `--scenario NAME` works from any directory.

/// A built-in scenario.
#[derive(Debug, Clone, Copy)]
pub struct Builtin {
    /// Its name (the file name without `.toml`).
    pub name: &'static str,
    /// Its TOML text.
    pub source: &'static str,
}

macro_rules! builtin {
    ($name:literal) => {
        Builtin {
            name: $name,
            source: include_str!(concat!("../../scenarios/", $name, ".toml")),
        }
    };
}

/// Every built-in scenario.
pub const BUILTIN: &[Builtin] = &[
    builtin!("fluent-python"),
    builtin!("rush-hour"),
    builtin!("mixed-fleet"),
    builtin!("night-shift"),
    builtin!("big-fleet"),
    builtin!("taxi-stand"),
    builtin!("ride-hailing"),
    builtin!("city-day"),
];

/// The built-in scenario called `name`.
pub fn find_builtin(name: &str) -> Option<&'static Builtin> {
    BUILTIN.iter().find(|builtin| builtin.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_built_in_scenario_is_found_by_its_name_and_no_other() {
        for builtin in BUILTIN {
            assert_eq!(find_builtin(builtin.name).unwrap().name, builtin.name);
        }
        assert!(find_builtin("taxi-stan").is_none());
    }
}
