//! Dispatch scenarios (`schema_version = 2`, `model = "dispatch"`): parsed
//! first into a [`toml::Table`] (JSON is converted), so that edits of the
//! table (`--set KEY=VALUE`) can be applied before validation, then
//! validated from the table by [`DispatchScenario::from_table`], which
//! collects every problem with its field and value.

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use toml::{Table, Value};

use crate::distribution::{DISTRIBUTION_NAMES, DurationSpec};
use crate::rng::RngKind;
use crate::scenario::{Overrides, Problem, ScenarioError};

/// The scenario format version of the dispatch model.
pub const SCHEMA_VERSION: u32 = 2;
/// The default for `service_level_minutes`.
pub const DEFAULT_SERVICE_LEVEL_MINUTES: f64 = 5.0;
/// The policies, by name.
pub const POLICIES: &[&str] = &["fifo"];

/// Where requests come from.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Demand {
    /// Poisson arrivals at this rate per minute.
    Rate {
        /// Requests per minute, > 0.
        rate: f64,
    },
    /// Poisson arrivals whose rate is piecewise constant, repeating every `period`.
    Profile {
        /// Minutes after which the profile repeats.
        period: f64,
        /// The steps, sorted by `from`, the first from 0.
        profile: Vec<RateStep>,
    },
    /// Requests listed in a CSV file (columns `time` and optional `trip`).
    File {
        /// The file (resolved against the scenario file's folder).
        file: PathBuf,
    },
}

/// One step of a demand profile: `rate` from minute `from` of the period.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RateStep {
    /// Start of the step, minutes into the period.
    pub from: f64,
    /// Requests per minute, >= 0.
    pub rate: f64,
}

/// The fleet.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct DispatchFleet {
    /// Number of taxis.
    pub taxis: u64,
}

/// Durations of the dispatch model.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct DispatchDurations {
    /// A trip.
    pub trip: DurationSpec,
    /// How long a rider waits before giving up; `None`: for ever.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub patience: Option<DurationSpec>,
}

/// A taxi's shift (or `count` consecutive taxis' from `id`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct TaxiShift {
    /// The first taxi's id.
    pub id: u64,
    /// How many taxis from `id` share the shift.
    pub count: u64,
    /// When they go on duty.
    pub start_time: f64,
    /// When they take no more passengers; `None`: the whole run.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shift_end: Option<f64>,
}

/// A fully resolved dispatch scenario.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DispatchScenario {
    /// Format version (2).
    pub schema_version: u32,
    /// Always `"dispatch"`.
    pub model: &'static str,
    /// Short name.
    pub name: String,
    /// What question it answers.
    pub description: String,
    /// Minutes; the run stops at this time.
    pub end_time: f64,
    /// Minutes; statistics count passengers requesting from then on.
    pub warm_up: f64,
    /// The threshold of the `service_level` measure.
    pub service_level_minutes: f64,
    /// The seed, if fixed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    /// The generator.
    pub rng: RngKind,
    /// The dispatch policy.
    pub policy: String,
    /// The fleet.
    pub fleet: DispatchFleet,
    /// The demand.
    pub demand: Demand,
    /// Durations.
    pub durations: DispatchDurations,
    /// Shifts of taxis that do not work the whole run.
    #[serde(rename = "taxi", skip_serializing_if = "Vec::is_empty")]
    pub shifts: Vec<TaxiShift>,
}

impl DispatchScenario {
    /// Each taxi's `(start_time, shift_end)`, by id (`shift_end` infinite
    /// for the whole run).
    pub fn taxi_shifts(&self) -> Vec<(f64, f64)> {
        let mut shifts = vec![(0.0, f64::INFINITY); self.fleet.taxis as usize];
        for shift in &self.shifts {
            for id in shift.id..shift.id + shift.count {
                shifts[id as usize] = (shift.start_time, shift.shift_end.unwrap_or(f64::INFINITY));
            }
        }
        shifts
    }

    /// The scenario as TOML text.
    pub fn to_toml(&self) -> String {
        toml::to_string_pretty(self).expect("a resolved scenario serializes")
    }

    /// Validates `table` (a parsed scenario file) into a scenario;
    /// `origin` names it in errors, `base` is the folder a demand file is
    /// relative to; `overrides` (the command line) win over the table.
    pub fn from_table(
        table: &Table,
        origin: &str,
        base: &Path,
        overrides: &Overrides,
    ) -> Result<Self, ScenarioError> {
        let mut fields = Fields::default();
        let scenario = fields.scenario(table, base, overrides);
        match scenario {
            Some(scenario) if fields.problems.is_empty() => Ok(scenario),
            _ => Err(ScenarioError::Invalid {
                origin: origin.to_string(),
                problems: fields.problems,
            }),
        }
    }
}

/// Refuses to resize a fleet that `[[taxi]]` shifts define: `--taxis`,
/// `--set fleet.taxis`, a sweep or a fleet sizing would add taxis on duty
/// for the whole run, which is not what anyone sizing shifts means. `file`
/// is the scenario as written, `resized` with the command line's sets.
pub fn refuse_resized_shifts(
    file: &Table,
    resized: &Table,
    overrides: &Overrides,
    origin: &str,
) -> Result<(), ScenarioError> {
    let taxis_of = |table: &Table| {
        table
            .get("fleet")
            .and_then(Value::as_table)
            .and_then(|fleet| fleet.get("taxis"))
            .and_then(Value::as_integer)
    };
    let has_shifts = resized
        .get("taxi")
        .and_then(Value::as_array)
        .is_some_and(|shifts| !shifts.is_empty());
    let asked = overrides
        .taxis
        .map(|taxis| i64::try_from(taxis).unwrap_or(i64::MAX))
        .or(taxis_of(resized));
    match (has_shifts, taxis_of(file), asked) {
        (true, Some(written), Some(asked)) if asked != written => Err(ScenarioError::Invalid {
            origin: origin.to_string(),
            problems: vec![Problem::new(
                "fleet.taxis",
                asked,
                format!(
                    "the scenario's [[taxi]] shifts fix its fleet at {written}: change the shifts' count (or id) in the file instead"
                ),
            )],
        }),
        _ => Ok(()),
    }
}

const TOP_KEYS: &[&str] = &[
    "schema_version",
    "model",
    "name",
    "description",
    "end_time",
    "warm_up",
    "service_level_minutes",
    "seed",
    "rng",
    "policy",
    "fleet",
    "demand",
    "durations",
    "taxi",
];

/// The closest of `candidates` to `unknown`, if close enough to be a likely typo.
pub fn did_you_mean<'a>(unknown: &str, candidates: &[&'a str]) -> Option<&'a str> {
    candidates
        .iter()
        .map(|candidate| {
            (
                strsim::normalized_damerau_levenshtein(unknown, candidate),
                *candidate,
            )
        })
        .filter(|(score, _)| *score >= 0.5)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, candidate)| candidate)
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

fn describe(value: &Value) -> String {
    match value {
        Value::String(text) => format!("{text:?}"),
        // Very small or large numbers as exponents, not hundreds of digits.
        Value::Float(number)
            if *number != 0.0 && !(1e-6..1e16).contains(&number.abs()) && number.is_finite() =>
        {
            format!("{number:e}")
        }
        other => other.to_string(),
    }
}

/// Collects problems while reading values out of tables.
#[derive(Default)]
struct Fields {
    problems: Vec<Problem>,
}

impl Fields {
    fn problem(&mut self, field: impl Into<String>, value: impl std::fmt::Display, allowed: &str) {
        self.problems.push(Problem::new(field, value, allowed));
    }

    fn known_keys(&mut self, table: &Table, path: &str, allowed: &[&str]) {
        for key in table.keys() {
            if !allowed.contains(&key.as_str()) {
                let home = crate::scenario::errors::nested_home(key, allowed);
                let hint = match (home, did_you_mean(key, allowed)) {
                    (Some(home), _) => format!("; {home}"),
                    (None, Some(candidate)) => format!("; did you mean `{candidate}`?"),
                    (None, None) => format!("; expected one of {}", allowed.join(", ")),
                };
                self.problems
                    .push(Problem::bare(join(path, key), format!("unknown key{hint}")));
            }
        }
    }

    fn number(&mut self, table: &Table, path: &str, key: &str) -> Option<f64> {
        match table.get(key)? {
            Value::Integer(value) => Some(*value as f64),
            Value::Float(value) if value.is_finite() => Some(*value),
            other => {
                self.problem(join(path, key), describe(other), "a finite number");
                None
            }
        }
    }

    /// A number that must satisfy `ok`, described by `allowed`.
    fn number_where(
        &mut self,
        table: &Table,
        path: &str,
        key: &str,
        allowed: &str,
        ok: impl Fn(f64) -> bool,
    ) -> Option<f64> {
        let value = self.number(table, path, key)?;
        if ok(value) {
            Some(value)
        } else {
            // As written (5e-324, not its 300 decimals).
            let shown = table.get(key).map_or_else(|| value.to_string(), describe);
            self.problem(join(path, key), shown, allowed);
            None
        }
    }

    fn count(&mut self, table: &Table, path: &str, key: &str) -> Option<u64> {
        match table.get(key)? {
            Value::Integer(value) if *value >= 0 => Some(*value as u64),
            other => {
                self.problem(
                    join(path, key),
                    describe(other),
                    "a whole number, 0 or more",
                );
                None
            }
        }
    }

    fn text(&mut self, table: &Table, path: &str, key: &str) -> Option<String> {
        match table.get(key)? {
            Value::String(text) => Some(text.clone()),
            other => {
                self.problem(join(path, key), describe(other), "a string");
                None
            }
        }
    }

    fn table<'t>(&mut self, table: &'t Table, path: &str, key: &str) -> Option<&'t Table> {
        match table.get(key)? {
            Value::Table(inner) => Some(inner),
            other => {
                self.problem(join(path, key), describe(other), "a table");
                None
            }
        }
    }

    fn duration(&mut self, table: &Table, path: &str, key: &str) -> Option<DurationSpec> {
        let value = table.get(key)?;
        let field = join(path, key);
        let spec = match value {
            Value::Integer(mean) => DurationSpec::Exponential { mean: *mean as f64 },
            Value::Float(mean) => DurationSpec::Exponential { mean: *mean },
            Value::Table(inner) => {
                let name = match inner.get("distribution") {
                    Some(Value::String(name)) => name.as_str(),
                    Some(other) => {
                        self.problem(
                            format!("{field}.distribution"),
                            describe(other),
                            "a distribution name",
                        );
                        return None;
                    }
                    None => {
                        self.problems.push(Problem::bare(
                            format!("{field}.distribution"),
                            format!("missing: one of {}", DISTRIBUTION_NAMES.join(", ")),
                        ));
                        return None;
                    }
                };
                match DurationSpec::deserialize(Value::Table(inner.clone())) {
                    Ok(spec) => spec,
                    Err(error) => {
                        let mut message = error.to_string().trim_end().to_string();
                        if !DISTRIBUTION_NAMES.contains(&name)
                            && let Some(candidate) = did_you_mean(name, DISTRIBUTION_NAMES)
                        {
                            message.push_str(&format!("; did you mean `{candidate}`?"));
                        }
                        self.problems.push(Problem::bare(field, message));
                        return None;
                    }
                }
            }
            other => {
                self.problem(
                    field,
                    describe(other),
                    "a mean (number) or a table with a `distribution` key",
                );
                return None;
            }
        };
        if let Err((parameter, message)) = spec.validate() {
            let at = if matches!(value, Value::Table(_)) {
                format!("{field}.{parameter}")
            } else {
                field
            };
            let mut message = message;
            // A bare number is an exponential mean; riders who leave at
            // once (a loss system) have a constant patience of 0.
            if key == "patience" && (value.as_integer() == Some(0) || value.as_float() == Some(0.0))
            {
                message.push_str(
                    "; for riders who leave at once, write patience = { distribution = \"constant\", value = 0 }",
                );
            }
            self.problems.push(Problem::bare(at, message));
            return None;
        }
        Some(spec)
    }

    fn scenario(
        &mut self,
        table: &Table,
        base: &Path,
        overrides: &Overrides,
    ) -> Option<DispatchScenario> {
        self.known_keys(table, "", TOP_KEYS);
        match table.get("schema_version") {
            Some(Value::Integer(2)) => {}
            Some(other) => self.problem(
                "schema_version",
                describe(other),
                "the dispatch model is read from version 2 files",
            ),
            None => self.problems.push(Problem::bare(
                "schema_version",
                "missing: write schema_version = 2",
            )),
        }
        let name = self.text(table, "", "name");
        let description = self.text(table, "", "description");
        let end_time = match overrides.end_time {
            Some(end_time) => Some(end_time as f64),
            None => self.number(table, "", "end_time"),
        };
        let end_time = match end_time {
            Some(end_time) if end_time > 0.0 => Some(end_time),
            Some(end_time) => {
                self.problem("end_time", end_time, "a number of minutes greater than 0");
                None
            }
            None => {
                if !table.contains_key("end_time") {
                    self.problems.push(Problem::bare(
                        "end_time",
                        "missing: the minutes the run lasts",
                    ));
                }
                None
            }
        };
        let warm_up = self.number_where(
            table,
            "",
            "warm_up",
            "a number of minutes, 0 or more",
            |value| value >= 0.0,
        );
        if let (Some(warm_up), Some(end_time)) = (warm_up, end_time)
            && warm_up >= end_time
        {
            self.problem(
                "warm_up",
                warm_up,
                &format!("must be before end_time ({end_time}); a shorter run needs a shorter warm-up: --set warm_up=..."),
            );
        }
        let service_level_minutes = self.number_where(
            table,
            "",
            "service_level_minutes",
            "a number of minutes, 0 or more",
            |value| value >= 0.0,
        );
        let seed = match table.get("seed") {
            None => None,
            Some(Value::Integer(seed)) if *seed >= 0 => Some(*seed as u64),
            Some(other) => {
                self.problem("seed", describe(other), "a whole number, 0 or more");
                None
            }
        };
        let rng = match table.get("rng") {
            None => None,
            Some(Value::String(text)) if text == "pcg64" => Some(RngKind::Pcg64),
            Some(Value::String(text)) if text == "cpython" => Some(RngKind::Cpython),
            Some(other) => {
                self.problem("rng", describe(other), "\"pcg64\" or \"cpython\"");
                None
            }
        };
        let policy = self.text(table, "", "policy");
        if let Some(policy) = &policy
            && !POLICIES.contains(&policy.as_str())
        {
            self.problem("policy", format!("{policy:?}"), "\"fifo\"");
        }

        let taxis = match self.table(table, "", "fleet") {
            Some(fleet) => {
                self.known_keys(fleet, "fleet", &["taxis"]);
                self.count(fleet, "fleet", "taxis")
            }
            None => None,
        };
        let given = table
            .get("fleet")
            .and_then(Value::as_table)
            .is_some_and(|fleet| fleet.contains_key("taxis"));
        let taxis = overrides.taxis.or(taxis);
        // A value that is there but wrong has its own problem already.
        if taxis.is_none() && !given {
            self.problems
                .push(Problem::bare("fleet.taxis", "missing: the number of taxis"));
        }
        if let Some(taxis) = taxis
            && taxis > u64::from(u32::MAX / 2)
        {
            self.problem("fleet.taxis", taxis, "at most 2147483647 taxis");
        }

        let demand = self.demand(table, base);
        let (trip, patience) = match self.table(table, "", "durations") {
            Some(durations) => {
                self.known_keys(durations, "durations", &["trip", "patience"]);
                let trip = self.duration(durations, "durations", "trip");
                if trip.is_none() && !durations.contains_key("trip") {
                    self.problems.push(Problem::bare(
                        "durations.trip",
                        "missing: the trips' duration",
                    ));
                }
                (trip, self.duration(durations, "durations", "patience"))
            }
            None => {
                self.problems.push(Problem::bare(
                    "durations.trip",
                    "missing: the trips' duration",
                ));
                (None, None)
            }
        };
        let shifts = self.shifts(table, taxis.unwrap_or(0));

        Some(DispatchScenario {
            schema_version: SCHEMA_VERSION,
            model: "dispatch",
            name: name.unwrap_or_else(|| "custom".to_string()),
            description: description.unwrap_or_default(),
            end_time: end_time?,
            warm_up: warm_up.unwrap_or(0.0),
            service_level_minutes: service_level_minutes.unwrap_or(DEFAULT_SERVICE_LEVEL_MINUTES),
            seed: overrides.seed.or(seed),
            rng: overrides.rng.or(rng).unwrap_or(RngKind::Pcg64),
            policy: policy.unwrap_or_else(|| "fifo".to_string()),
            fleet: DispatchFleet { taxis: taxis? },
            demand: demand?,
            durations: DispatchDurations {
                trip: trip?,
                patience,
            },
            shifts,
        })
    }

    fn demand(&mut self, table: &Table, base: &Path) -> Option<Demand> {
        let Some(demand) = self.table(table, "", "demand") else {
            if !table.contains_key("demand") {
                self.problems.push(Problem::bare(
                    "demand",
                    "missing: a [demand] table with rate, profile (and period) or file",
                ));
            }
            return None;
        };
        self.known_keys(demand, "demand", &["rate", "profile", "period", "file"]);
        let given: Vec<&str> = ["rate", "profile", "file"]
            .into_iter()
            .filter(|key| demand.contains_key(*key))
            .collect();
        if given.len() != 1 {
            self.problems.push(Problem::bare(
                "demand",
                if given.is_empty() {
                    "give exactly one of rate, profile (with period) or file; none is given"
                        .to_string()
                } else {
                    format!(
                        "give exactly one of rate, profile (with period) or file, not {}",
                        given.join(" and ")
                    )
                },
            ));
            return None;
        }
        if given[0] != "profile" && demand.contains_key("period") {
            self.problems.push(Problem::bare(
                "demand.period",
                "only a profile has a period",
            ));
        }
        match given[0] {
            "rate" => self
                .number_where(
                    demand,
                    "demand",
                    "rate",
                    "requests per minute, greater than 0",
                    |rate| rate > 0.0,
                )
                .map(|rate| Demand::Rate { rate }),
            "profile" => self.profile(demand),
            _ => {
                let file = self.text(demand, "demand", "file")?;
                let path = base.join(&file);
                match check_demand_file(&path) {
                    // Absolute, so that a log of the run names it from any folder.
                    Ok(_) => Some(Demand::File {
                        file: std::fs::canonicalize(&path).unwrap_or(path),
                    }),
                    Err(message) => {
                        self.problems.push(Problem::bare("demand.file", message));
                        None
                    }
                }
            }
        }
    }

    fn profile(&mut self, demand: &Table) -> Option<Demand> {
        let period = self.number_where(
            demand,
            "demand",
            "period",
            "minutes, at least 1e-6",
            |period| period >= 1e-6,
        );
        if !demand.contains_key("period") {
            self.problems.push(Problem::bare(
                "demand.period",
                "missing: a profile repeats every period (minutes)",
            ));
        }
        let Some(Value::Array(entries)) = demand.get("profile") else {
            self.problem(
                "demand.profile",
                describe(&demand["profile"]),
                "an array of { from, rate } tables",
            );
            return None;
        };
        if entries.is_empty() {
            self.problems.push(Problem::bare(
                "demand.profile",
                "is empty: give at least one step",
            ));
            return None;
        }
        let mut steps = Vec::with_capacity(entries.len());
        for (index, entry) in entries.iter().enumerate() {
            let at = format!("demand.profile[{index}]");
            let Value::Table(entry) = entry else {
                self.problem(at, describe(entry), "a { from, rate } table");
                continue;
            };
            self.known_keys(entry, &at, &["from", "rate"]);
            let from =
                self.number_where(entry, &at, "from", "minutes, 0 or more", |from| from >= 0.0);
            let rate = self.number_where(
                entry,
                &at,
                "rate",
                "requests per minute, 0 or more",
                |rate| rate >= 0.0,
            );
            for (key, value) in [("from", from), ("rate", rate)] {
                if value.is_none() && !entry.contains_key(key) {
                    self.problems
                        .push(Problem::bare(format!("{at}.{key}"), "missing"));
                }
            }
            let (Some(from), Some(rate)) = (from, rate) else {
                continue;
            };
            if index == 0 && from != 0.0 {
                self.problem(format!("{at}.from"), from, "the first step starts at 0");
            }
            if let Some(previous) = steps.last().map(|step: &RateStep| step.from)
                && from <= previous
            {
                self.problem(
                    format!("{at}.from"),
                    from,
                    &format!("steps are sorted: after the previous step's from ({previous})"),
                );
            }
            if let Some(period) = period
                && from >= period
            {
                self.problem(
                    format!("{at}.from"),
                    from,
                    &format!("inside the period: less than {period}"),
                );
            }
            steps.push(RateStep { from, rate });
        }
        if steps.len() == entries.len() && steps.iter().all(|step| step.rate == 0.0) {
            self.problems.push(Problem::bare(
                "demand.profile",
                "every rate is 0: no request would ever come",
            ));
        } else if let Some(period) = period
            && steps.len() == entries.len()
        {
            // The requests a period brings: below the doubles' normal
            // range, the inverse of the integrated rate is lost in rounding.
            let per_period = super::demand::requests_per_period(period, &steps);
            if per_period < 1e-300 {
                self.problem(
                    "demand.profile",
                    format!("{per_period:e} requests a period"),
                    "at least 1e-300 requests a period",
                );
            }
        }
        Some(Demand::Profile {
            period: period?,
            profile: steps,
        })
    }

    fn shifts(&mut self, table: &Table, taxis: u64) -> Vec<TaxiShift> {
        let entries = match table.get("taxi") {
            None => return Vec::new(),
            Some(Value::Array(entries)) => entries,
            Some(other) => {
                self.problem("taxi", describe(other), "an array of [[taxi]] tables");
                return Vec::new();
            }
        };
        let mut shifts: Vec<TaxiShift> = Vec::new();
        for (index, entry) in entries.iter().enumerate() {
            let at = format!("taxi[{index}]");
            let Value::Table(entry) = entry else {
                self.problem(at, describe(entry), "a table");
                continue;
            };
            self.known_keys(entry, &at, &["id", "count", "start_time", "shift_end"]);
            let Some(id) = self.count(entry, &at, "id") else {
                if !entry.contains_key("id") {
                    self.problems
                        .push(Problem::bare(format!("{at}.id"), "missing: the taxi's id"));
                }
                continue;
            };
            let count = self.count(entry, &at, "count").unwrap_or(1);
            if count == 0 || id.saturating_add(count) > taxis {
                self.problem(
                    format!("{at}.id"),
                    if count == 1 {
                        id.to_string()
                    } else {
                        format!("{id} (count {count})")
                    },
                    &if taxis == 0 {
                        "the fleet has no taxis".to_string()
                    } else {
                        format!(
                            "taxis of the fleet: 0 to {} ({})",
                            taxis - 1,
                            crate::stdio::counted(taxis, "taxi")
                        )
                    },
                );
                continue;
            }
            let start_time = self
                .number_where(entry, &at, "start_time", "minutes, 0 or more", |start| {
                    start >= 0.0
                })
                .unwrap_or(0.0);
            let shift_end = self.number(entry, &at, "shift_end");
            if let Some(shift_end) = shift_end
                && shift_end <= start_time
            {
                self.problem(
                    format!("{at}.shift_end"),
                    shift_end,
                    &format!("must be after start_time ({start_time})"),
                );
            }
            if let Some(earlier) = shifts
                .iter()
                .find(|other| id < other.id + other.count && other.id < id + count)
            {
                self.problem(
                    format!("{at}.id"),
                    id,
                    &format!("taxi {} already has a shift", id.max(earlier.id)),
                );
                continue;
            }
            shifts.push(TaxiShift {
                id,
                count,
                start_time,
                shift_end,
            });
        }
        shifts.sort_by_key(|shift| shift.id);
        shifts
    }
}

/// One request of a demand file.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FileRequest {
    /// Minutes.
    pub time: f64,
    /// The trip's minutes, if the file gives them.
    pub trip: Option<f64>,
}

/// Longest line of a demand file, in bytes: a file without newlines (or a
/// device that never ends) must not be read whole into memory.
pub const MAX_DEMAND_LINE: usize = 1 << 20;

/// Streams a demand file: a header `time` or `time,trip`, then one request
/// per line, sorted by time. Errors name the file and the line.
pub struct RequestReader {
    reader: BufReader<std::fs::File>,
    path: PathBuf,
    line: u64,
    has_trip: bool,
    previous: f64,
}

/// What a path that is not a regular file is, for an error message.
fn file_kind(metadata: &std::fs::Metadata) -> &'static str {
    let kind = metadata.file_type();
    if kind.is_dir() {
        return "a directory";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() {
            return "a FIFO";
        }
        if kind.is_char_device() || kind.is_block_device() {
            return "a device";
        }
        if kind.is_socket() {
            return "a socket";
        }
    }
    "not a regular file"
}

impl RequestReader {
    /// Opens `path` and reads its header.
    pub fn open(path: &Path) -> Result<Self, String> {
        let cannot_read = |error: std::io::Error| {
            format!("cannot read demand file '{}': {error}", path.display())
        };
        // Only a regular file ends: a device or a FIFO could be read forever.
        let metadata = std::fs::metadata(path).map_err(cannot_read)?;
        if !metadata.is_file() {
            return Err(format!(
                "demand file '{}' is {}: it must be a regular file",
                path.display(),
                file_kind(&metadata)
            ));
        }
        let file = std::fs::File::open(path).map_err(cannot_read)?;
        let mut reader = Self {
            reader: BufReader::new(file),
            path: path.to_path_buf(),
            line: 0,
            has_trip: false,
            previous: 0.0,
        };
        let header = reader.next_line()?.ok_or_else(|| {
            format!(
                "demand file '{}' is empty: expected a header `time` or `time,trip`",
                path.display()
            )
        })?;
        if header.starts_with('\u{feff}') {
            return Err(
                reader.error("starts with a byte-order mark: save the file as UTF-8 without one")
            );
        }
        let columns: Vec<&str> = header.split(',').map(str::trim).collect();
        reader.has_trip = match columns.as_slice() {
            ["time"] => false,
            ["time", "trip"] => true,
            _ => {
                return Err(reader.error(&format!(
                    "header '{}': expected `time` or `time,trip`",
                    crate::stdio::printable(&header)
                )));
            }
        };
        Ok(reader)
    }

    fn error(&self, message: &str) -> String {
        format!(
            "demand file '{}', line {}: {message}",
            self.path.display(),
            self.line
        )
    }

    /// The next line that is not blank, trimmed; at most
    /// [`MAX_DEMAND_LINE`] bytes are read for it.
    fn next_line(&mut self) -> Result<Option<String>, String> {
        let mut bytes = Vec::new();
        loop {
            bytes.clear();
            let read = (&mut self.reader)
                .take(MAX_DEMAND_LINE as u64 + 1)
                .read_until(b'\n', &mut bytes)
                .map_err(|error| self.error(&format!("cannot read it: {error}")))?;
            if read == 0 {
                return Ok(None);
            }
            self.line += 1;
            if bytes.last() == Some(&b'\n') {
                bytes.pop();
            } else if bytes.len() > MAX_DEMAND_LINE {
                return Err(self.error(&format!(
                    "the line is longer than {} bytes",
                    MAX_DEMAND_LINE
                )));
            }
            let line = std::str::from_utf8(&bytes).map_err(|_| self.error("is not UTF-8 text"))?;
            let trimmed = line.trim();
            if !trimmed.is_empty() {
                return Ok(Some(trimmed.to_string()));
            }
        }
    }

    /// The next request, `None` at the end of the file.
    pub fn next_request(&mut self) -> Result<Option<FileRequest>, String> {
        let Some(line) = self.next_line()? else {
            return Ok(None);
        };
        let mut cells = line.split(',').map(str::trim);
        let parse = |cell: Option<&str>, what: &str| -> Result<f64, String> {
            let cell = cell.unwrap_or("");
            match cell.parse::<f64>() {
                Ok(value) if value.is_finite() && value >= 0.0 => Ok(value),
                _ => Err(format!(
                    "{what} '{}' is not a finite number of minutes, 0 or more",
                    crate::stdio::printable(cell)
                )),
            }
        };
        let time = parse(cells.next(), "time").map_err(|message| self.error(&message))?;
        let trip = if self.has_trip {
            Some(parse(cells.next(), "trip").map_err(|message| self.error(&message))?)
        } else {
            None
        };
        if cells.next().is_some() {
            return Err(self.error(&format!(
                "'{}' has more cells than the header ({})",
                crate::stdio::printable(&line),
                if self.has_trip { 2 } else { 1 }
            )));
        }
        if time < self.previous {
            return Err(self.error(&format!(
                "time {time} is before the previous line's ({}): the file must be sorted by time",
                self.previous
            )));
        }
        self.previous = time;
        Ok(Some(FileRequest { time, trip }))
    }
}

/// Reads a whole demand file (streaming) and returns its number of requests.
pub fn check_demand_file(path: &Path) -> Result<u64, String> {
    let mut reader = RequestReader::open(path)?;
    let mut requests = 0;
    while reader.next_request()?.is_some() {
        requests += 1;
    }
    Ok(requests)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str) -> Result<DispatchScenario, String> {
        let table: Table = text.parse().map_err(|error| format!("{error}"))?;
        DispatchScenario::from_table(&table, "test.toml", Path::new("."), &Overrides::default())
            .map_err(|error| error.to_string())
    }

    pub(super) const GOOD: &str = r#"
        schema_version = 2
        model = "dispatch"
        end_time = 1000
        [fleet]
        taxis = 3
        [demand]
        rate = 0.1
        [durations]
        trip = 20
    "#;

    #[test]
    fn a_minimal_file_gets_its_defaults() {
        let scenario = load(GOOD).unwrap();
        assert_eq!(scenario.warm_up, 0.0);
        assert_eq!(scenario.service_level_minutes, 5.0);
        assert_eq!(scenario.rng, RngKind::Pcg64);
        assert_eq!(scenario.durations.patience, None);
        assert_eq!(scenario.taxi_shifts(), vec![(0.0, f64::INFINITY); 3]);
    }

    #[test]
    fn every_bad_value_is_named_with_its_field() {
        let cases = [
            ("rate = 0.1", "rate = -1", "demand.rate"),
            ("rate = 0.1", "rate = 0", "demand.rate"),
            ("rate = 0.1", "rate = nan", "demand.rate"),
            (
                "rate = 0.1",
                "rate = 0.1\nfile = \"x.csv\"",
                "rate and file",
            ),
            (
                "trip = 20",
                "trip = 20\npatience = -3",
                "durations.patience",
            ),
            (
                "end_time = 1000",
                "end_time = 1000\nwarm_up = 1000",
                "warm_up",
            ),
            ("taxis = 3", "taxis = \"three\"", "fleet.taxis"),
            ("trip = 20", "trpi = 20", "did you mean `trip`"),
            (
                "rate = 0.1",
                "period = 100\nprofile = [{ from = 0, rate = 1 }, { from = 150, rate = 2 }]",
                "demand.profile[1].from",
            ),
            (
                "rate = 0.1",
                "period = 100\nprofile = [{ from = 0, rate = 1 }, { from = 50, rate = 2 }, { from = 40, rate = 1 }]",
                "sorted",
            ),
            (
                "rate = 0.1",
                "file = \"/no/such/requests.csv\"",
                "/no/such/requests.csv",
            ),
        ];
        for (from, to, expected) in cases {
            let text = GOOD.replace(from, to);
            let error = load(&text).unwrap_err();
            assert!(error.contains(expected), "{to}: {error}");
            assert!(error.contains("test.toml"), "{error}");
        }
        let shifted = format!("{GOOD}\n[[taxi]]\nid = 1\nstart_time = 100\nshift_end = 50\n");
        assert!(load(&shifted).unwrap_err().contains("taxi[0].shift_end"));
    }

    #[test]
    fn a_demand_file_error_names_its_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("requests.csv");
        std::fs::write(&path, "time,trip\n1,20\n5,x\n").unwrap();
        let error = check_demand_file(&path).unwrap_err();
        assert!(error.contains("line 3"), "{error}");
        std::fs::write(&path, "time\n5\n1\n").unwrap();
        let error = check_demand_file(&path).unwrap_err();
        assert!(
            error.contains("line 3") && error.contains("sorted"),
            "{error}"
        );
        std::fs::write(&path, "time,trip\n1,20\n\n2.5,3\n").unwrap();
        assert_eq!(check_demand_file(&path), Ok(2));
    }
}

/// Tests that pin what the mutation testing (issue 17) found unguarded:
/// each value's edge, each message's form, each shift's overlap.
#[cfg(test)]
mod bite_tests {
    use super::*;

    use super::tests::GOOD as BASE;

    fn load_with(text: &str, overrides: &Overrides) -> Result<DispatchScenario, Vec<String>> {
        let table: Table = text.parse().unwrap();
        match DispatchScenario::from_table(&table, "test.toml", Path::new("."), overrides) {
            Ok(scenario) => Ok(scenario),
            Err(ScenarioError::Invalid { problems, .. }) => {
                Err(problems.iter().map(ToString::to_string).collect())
            }
            Err(other) => panic!("{other}"),
        }
    }

    fn load(text: &str) -> Result<DispatchScenario, Vec<String>> {
        load_with(text, &Overrides::default())
    }

    /// The problems of `BASE` with `from` replaced by `to`.
    fn problems(from: &str, to: &str) -> Vec<String> {
        let text = BASE.replace(from, to);
        assert_ne!(text, BASE, "{from} is not in the base scenario");
        load(&text).expect_err(to)
    }

    fn loads(from: &str, to: &str) -> DispatchScenario {
        let text = BASE.replace(from, to);
        assert_ne!(text, BASE, "{from} is not in the base scenario");
        load(&text).unwrap_or_else(|problems| panic!("{to}: {problems:?}"))
    }

    fn demand_file(text: &str) -> Result<u64, String> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("requests.csv");
        std::fs::write(&path, text).unwrap();
        check_demand_file(&path)
            .map_err(|error| error.replace(&format!("'{}'", path.display()), "'requests.csv'"))
    }

    #[test]
    fn values_are_shown_as_written_with_exponents_only_for_the_very_small_or_large() {
        let cases = [
            (Value::Float(1.5), "1.5"),
            (Value::Float(-0.25), "-0.25"),
            (Value::Float(0.0), "0.0"),
            (Value::Float(1e-300), "1e-300"),
            (Value::Float(2e16), "2e16"),
            (Value::Float(f64::INFINITY), "inf"),
            (Value::Integer(-3), "-3"),
            (Value::String("three".into()), "\"three\""),
        ];
        for (value, shown) in cases {
            assert_eq!(describe(&value), shown, "{value:?}");
        }
    }

    #[test]
    fn an_end_time_must_be_finite_and_above_0_and_a_missing_one_is_named_missing() {
        assert_eq!(
            problems("end_time = 1000", "end_time = inf"),
            ["end_time: inf is not allowed: a finite number"]
        );
        assert_eq!(
            problems("end_time = 1000", "end_time = 0"),
            ["end_time: 0 is not allowed: a number of minutes greater than 0"]
        );
        assert_eq!(loads("end_time = 1000", "end_time = 0.5").end_time, 0.5);
        assert_eq!(
            problems("end_time = 1000", ""),
            ["end_time: missing: the minutes the run lasts"]
        );
        assert_eq!(
            problems("end_time = 1000", "end_time = \"long\""),
            ["end_time: \"long\" is not allowed: a finite number"]
        );
    }

    #[test]
    fn the_optional_settings_take_the_values_written_and_refuse_bad_ones() {
        let text = BASE.replace(
            "end_time = 1000",
            "end_time = 1000\nwarm_up = 10\nservice_level_minutes = 3\nseed = 7\nrng = \"cpython\"\npolicy = \"fifo\"",
        );
        let scenario = load(&text).unwrap();
        assert_eq!(scenario.warm_up, 10.0);
        assert_eq!(scenario.service_level_minutes, 3.0);
        assert_eq!(scenario.seed, Some(7));
        assert_eq!(scenario.rng, RngKind::Cpython);
        assert_eq!(scenario.policy, "fifo");
        let pcg = loads("end_time = 1000", "end_time = 1000\nrng = \"pcg64\"");
        assert_eq!(pcg.rng, RngKind::Pcg64);
        let cases = [
            (
                "warm_up = -1",
                "warm_up: -1 is not allowed: a number of minutes, 0 or more",
            ),
            (
                "service_level_minutes = -1",
                "service_level_minutes: -1 is not allowed: a number of minutes, 0 or more",
            ),
            (
                "seed = -1",
                "seed: -1 is not allowed: a whole number, 0 or more",
            ),
            (
                "rng = \"mt\"",
                "rng: \"mt\" is not allowed: \"pcg64\" or \"cpython\"",
            ),
            (
                "policy = \"lifo\"",
                "policy: \"lifo\" is not allowed: \"fifo\"",
            ),
        ];
        for (line, problem) in cases {
            assert_eq!(
                problems("end_time = 1000", &format!("end_time = 1000\n{line}")),
                [problem]
            );
        }
    }

    #[test]
    fn a_fleet_of_2147483647_taxis_is_accepted_and_one_more_is_not() {
        assert_eq!(
            loads("taxis = 3", "taxis = 2147483647").fleet.taxis,
            2147483647
        );
        assert_eq!(
            problems("taxis = 3", "taxis = 2147483648"),
            ["fleet.taxis: 2147483648 is not allowed: at most 2147483647 taxis"]
        );
        assert_eq!(
            problems("taxis = 3", "taxis = -1"),
            ["fleet.taxis: -1 is not allowed: a whole number, 0 or more"]
        );
        assert_eq!(
            problems("taxis = 3", ""),
            ["fleet.taxis: missing: the number of taxis"]
        );
    }

    #[test]
    fn taxis_given_on_the_command_line_need_none_in_the_file() {
        let text = BASE.replace("[fleet]\n        taxis = 3", "");
        let overrides = Overrides {
            taxis: Some(4),
            ..Overrides::default()
        };
        assert_eq!(load_with(&text, &overrides).unwrap().fleet.taxis, 4);
    }

    #[test]
    fn a_missing_trip_is_named_missing_and_a_bad_one_only_bad() {
        assert_eq!(
            problems("trip = 20", "patience = 5"),
            ["durations.trip: missing: the trips' duration"]
        );
        let bad = problems("trip = 20", "trip = -1");
        assert_eq!(bad.len(), 1, "{bad:?}");
        assert!(bad[0].starts_with("durations.trip: "), "{bad:?}");
        assert!(!bad[0].contains("missing"), "{bad:?}");
    }

    #[test]
    fn only_a_patience_of_zero_points_to_riders_who_leave_at_once() {
        let hint = "for riders who leave at once";
        for zero in ["patience = 0", "patience = 0.0"] {
            let found = problems("trip = 20", &format!("trip = 20\n{zero}"));
            assert!(
                found.len() == 1 && found[0].contains(hint),
                "{zero}: {found:?}"
            );
        }
        for other in [
            "trip = 20\npatience = -3",
            "trip = 20\npatience = -0.5",
            "trip = 0",
        ] {
            let found = problems("trip = 20", other);
            assert!(
                found.len() == 1 && !found[0].contains(hint),
                "{other}: {found:?}"
            );
        }
    }

    #[test]
    fn only_a_misspelt_distribution_gets_a_did_you_mean() {
        let misspelt = problems(
            "trip = 20",
            "trip = { distribution = \"expnential\", mean = 3 }",
        );
        assert!(
            misspelt.len() == 1 && misspelt[0].contains("did you mean `exponential`?"),
            "{misspelt:?}"
        );
        let incomplete = problems(
            "trip = 20",
            "trip = { distribution = \"uniform\", min = 1 }",
        );
        assert!(
            incomplete.len() == 1 && !incomplete[0].contains("did you mean"),
            "{incomplete:?}"
        );
    }

    #[test]
    fn a_missing_demand_is_named_missing_and_a_demand_that_is_no_table_only_bad() {
        let without = BASE.replace("[demand]\n        rate = 0.1", "");
        assert_eq!(
            load(&without).unwrap_err(),
            ["demand: missing: a [demand] table with rate, profile (and period) or file"]
        );
        let number = without.replace("end_time = 1000", "end_time = 1000\ndemand = 5");
        assert_eq!(
            load(&number).unwrap_err(),
            ["demand: 5 is not allowed: a table"]
        );
        assert_eq!(
            problems("rate = 0.1", "rate = 0.1\nperiod = 60"),
            ["demand.period: only a profile has a period"]
        );
    }

    #[test]
    fn a_sorted_profile_from_0_loads_step_by_step() {
        let scenario = loads(
            "rate = 0.1",
            "period = 100\nprofile = [{ from = 0, rate = 1 }, { from = 50, rate = 2 }]",
        );
        assert_eq!(
            scenario.demand,
            Demand::Profile {
                period: 100.0,
                profile: vec![
                    RateStep {
                        from: 0.0,
                        rate: 1.0
                    },
                    RateStep {
                        from: 50.0,
                        rate: 2.0
                    }
                ],
            }
        );
    }

    #[test]
    fn a_profile_bringing_exactly_1e_300_requests_a_period_is_accepted() {
        let scenario = loads(
            "rate = 0.1",
            "period = 1\nprofile = [{ from = 0, rate = 1e-300 }]",
        );
        assert!(matches!(scenario.demand, Demand::Profile { .. }));
        assert_eq!(
            problems(
                "rate = 0.1",
                "period = 1\nprofile = [{ from = 0, rate = 9e-301 }]"
            ),
            [
                "demand.profile: 9e-301 requests a period is not allowed: at least 1e-300 requests a period"
            ]
        );
    }

    #[test]
    fn each_missing_part_of_a_profile_is_named_missing_and_bad_parts_only_bad() {
        assert_eq!(
            problems("rate = 0.1", "profile = [{ from = 0, rate = 1 }]"),
            ["demand.period: missing: a profile repeats every period (minutes)"]
        );
        assert_eq!(
            problems(
                "rate = 0.1",
                "period = 100\nprofile = [{ from = 0, rate = 1 }, { rate = 2 }]"
            ),
            ["demand.profile[1].from: missing"]
        );
        assert_eq!(
            problems(
                "rate = 0.1",
                "period = 100\nprofile = [{ from = 0, rate = 1 }, { from = -1, rate = 2 }]"
            ),
            ["demand.profile[1].from: -1 is not allowed: minutes, 0 or more"]
        );
        assert_eq!(
            problems(
                "rate = 0.1",
                "period = 100\nprofile = [{ from = 0, rate = 0 }, { from = 50, rate = 0 }]"
            ),
            ["demand.profile: every rate is 0: no request would ever come"]
        );
        assert_eq!(
            problems(
                "rate = 0.1",
                "period = 100\nprofile = [{ from = 5, rate = 1 }]"
            ),
            ["demand.profile[0].from: 5 is not allowed: the first step starts at 0"]
        );
    }

    fn with_shifts(shifts: &str) -> String {
        format!("{BASE}\n{shifts}")
    }

    #[test]
    fn shifts_of_neighbouring_taxis_in_either_order_do_not_overlap() {
        let ascending = load(&with_shifts(
            "[[taxi]]\nid = 0\ncount = 2\nstart_time = 10\n[[taxi]]\nid = 2\nstart_time = 20\nshift_end = 30",
        ))
        .unwrap();
        assert_eq!(
            ascending.taxi_shifts(),
            [(10.0, f64::INFINITY), (10.0, f64::INFINITY), (20.0, 30.0)]
        );
        let descending = load(&with_shifts(
            "[[taxi]]\nid = 2\nstart_time = 20\n[[taxi]]\nid = 0\ncount = 2\nstart_time = 10",
        ))
        .unwrap();
        assert_eq!(
            descending.taxi_shifts(),
            [
                (10.0, f64::INFINITY),
                (10.0, f64::INFINITY),
                (20.0, f64::INFINITY)
            ]
        );
        assert_eq!(
            descending
                .shifts
                .iter()
                .map(|shift| shift.id)
                .collect::<Vec<_>>(),
            [0, 2]
        );
    }

    #[test]
    fn a_taxi_given_two_shifts_is_named() {
        let cases = [
            (
                "[[taxi]]\nid = 0\ncount = 2\n[[taxi]]\nid = 1",
                "taxi[1].id: 1 is not allowed: taxi 1 already has a shift",
            ),
            (
                "[[taxi]]\nid = 1\n[[taxi]]\nid = 0\ncount = 2",
                "taxi[1].id: 0 is not allowed: taxi 1 already has a shift",
            ),
            (
                "[[taxi]]\nid = 0\n[[taxi]]\nid = 0",
                "taxi[1].id: 0 is not allowed: taxi 0 already has a shift",
            ),
        ];
        for (shifts, problem) in cases {
            assert_eq!(
                load(&with_shifts(shifts)).unwrap_err(),
                [problem],
                "{shifts}"
            );
        }
    }

    #[test]
    fn a_shift_names_the_taxis_of_the_fleet_when_its_ids_are_outside_them() {
        let last = load(&with_shifts("[[taxi]]\nid = 1\ncount = 2\nstart_time = 5")).unwrap();
        assert_eq!(last.taxi_shifts()[2], (5.0, f64::INFINITY));
        let cases = [
            (
                "id = 3",
                "taxi[0].id: 3 is not allowed: taxis of the fleet: 0 to 2 (3 taxis)",
            ),
            (
                "id = 2\ncount = 2",
                "taxi[0].id: 2 (count 2) is not allowed: taxis of the fleet: 0 to 2 (3 taxis)",
            ),
            (
                "id = 0\ncount = 0",
                "taxi[0].id: 0 (count 0) is not allowed: taxis of the fleet: 0 to 2 (3 taxis)",
            ),
            ("start_time = 5", "taxi[0].id: missing: the taxi's id"),
            (
                "id = -1",
                "taxi[0].id: -1 is not allowed: a whole number, 0 or more",
            ),
        ];
        for (shift, problem) in cases {
            assert_eq!(
                load(&with_shifts(&format!("[[taxi]]\n{shift}"))).unwrap_err(),
                [problem],
                "{shift}"
            );
        }
        let no_taxis = BASE.replace("taxis = 3", "taxis = 0");
        assert_eq!(
            load(&format!("{no_taxis}\n[[taxi]]\nid = 0")).unwrap_err(),
            ["taxi[0].id: 0 is not allowed: the fleet has no taxis"]
        );
    }

    #[test]
    fn only_a_different_fleet_than_the_shifts_fix_is_refused() {
        let file: Table = with_shifts("[[taxi]]\nid = 0").parse().unwrap();
        let same = Overrides {
            taxis: Some(3),
            ..Overrides::default()
        };
        let more = Overrides {
            taxis: Some(4),
            ..Overrides::default()
        };
        assert!(refuse_resized_shifts(&file, &file, &same, "test.toml").is_ok());
        assert!(refuse_resized_shifts(&file, &file, &more, "test.toml").is_err());
        let empty: Table = format!("{BASE}\ntaxi = []").parse().unwrap();
        assert!(refuse_resized_shifts(&empty, &empty, &more, "test.toml").is_ok());
    }

    #[test]
    fn a_demand_file_takes_equal_times_and_a_last_line_without_newline() {
        assert_eq!(demand_file("time\n1\n1\n2"), Ok(3));
        assert_eq!(demand_file("time,trip\n1,2\n1,3"), Ok(2));
    }

    #[test]
    fn a_demand_time_that_is_negative_or_infinite_is_refused() {
        for time in ["-1", "inf"] {
            assert_eq!(
                demand_file(&format!("time\n1\n{time}\n")),
                Err(format!(
                    "demand file 'requests.csv', line 3: time '{time}' is not a finite number of minutes, 0 or more"
                ))
            );
        }
    }

    #[test]
    fn a_demand_line_of_exactly_the_longest_length_is_one_line() {
        // A time of 1 with leading zeros, as long as a line may be.
        let mut longest = "0".repeat(MAX_DEMAND_LINE);
        longest.pop();
        longest.push('1');
        assert_eq!(demand_file(&format!("time\n{longest}")), Ok(1));
        assert_eq!(
            demand_file(&format!("time\n{longest}\nx\n")),
            Err("demand file 'requests.csv', line 3: time 'x' is not a finite number of minutes, 0 or more".to_string())
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_path_that_is_not_a_regular_file_is_named_for_what_it_is() {
        let device = std::fs::metadata("/dev/null").unwrap();
        assert_eq!(file_kind(&device), "a device");
        let directory = std::fs::metadata(".").unwrap();
        assert_eq!(file_kind(&directory), "a directory");
    }
}
