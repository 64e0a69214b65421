//! Scenario files: a fleet, its durations and the run's settings, in TOML or
//! JSON, resolved into a [`Scenario`] with every default made explicit.
//!
//! Precedence: values given explicitly on the command line ([`Overrides`])
//! win over the file's, and defaults (the book's model) fill the rest.

mod builtin;
pub(crate) mod errors;
mod sets;

use std::path::Path;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

pub use builtin::{BUILTIN, Builtin, find_builtin};
pub use errors::{Problem, ScenarioError};
pub use sets::{ScenarioSource, Set, apply_sets, base_of, parse_table, parse_value};

use crate::distribution::{DurationSpec, deserialize_optional_duration};
use crate::engine::{ProcId, Tick};
use crate::models::book::taxi::{PhaseDurations, TaxiPlan, UNLIMITED_TRIPS};
use crate::rng::RngKind;

/// The scenario format version this build reads and writes.
pub const SCHEMA_VERSION: u32 = 1;
/// The book's defaults.
pub const DEFAULT_TAXIS: u64 = 3;
/// The description of the book's model.
const BOOK_DESCRIPTION: &str = "The book's model: 3 taxis, 5-minute search, 20-minute trips.";
/// The book's end time.
pub const DEFAULT_END_TIME: Tick = 180;
/// The book's departure interval.
pub const DEFAULT_DEPARTURE_INTERVAL: Tick = 5;
/// Fewest minutes a tick may stand for.
pub const MIN_MINUTES_PER_TICK: f64 = 1e-200;
/// Most minutes a tick may stand for.
pub const MAX_MINUTES_PER_TICK: f64 = 1e200;
/// Most taxis a fleet can have: ids are 32-bit.
pub const MAX_TAXIS: u64 = ProcId::MAX as u64;

/// How many trips taxis make.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Trips {
    /// The book's rule: taxi `i` makes `(i + 1) * 2` trips.
    #[default]
    Book,
    /// Every taxi makes this many.
    Fixed(u64),
    /// Taxis drive until the run ends.
    Unlimited,
}

impl Trips {
    /// Trips of taxi `id` ([`UNLIMITED_TRIPS`] for unlimited).
    pub fn of_taxi(self, id: u64) -> u64 {
        match self {
            Trips::Book => (id + 1).saturating_mul(2),
            Trips::Fixed(trips) => trips,
            Trips::Unlimited => UNLIMITED_TRIPS,
        }
    }
}

impl Serialize for Trips {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Trips::Book => serializer.serialize_str("book"),
            Trips::Fixed(trips) => serializer.serialize_u64(*trips),
            Trips::Unlimited => serializer.serialize_str("unlimited"),
        }
    }
}

impl<'de> Deserialize<'de> for Trips {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct TripsVisitor;
        impl serde::de::Visitor<'_> for TripsVisitor {
            type Value = Trips;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a number of trips (0 or more), \"book\" or \"unlimited\"")
            }
            fn visit_u64<E: serde::de::Error>(self, trips: u64) -> Result<Trips, E> {
                Ok(Trips::Fixed(trips))
            }
            fn visit_i64<E: serde::de::Error>(self, trips: i64) -> Result<Trips, E> {
                u64::try_from(trips)
                    .map(Trips::Fixed)
                    .map_err(|_| E::invalid_value(serde::de::Unexpected::Signed(trips), &self))
            }
            fn visit_str<E: serde::de::Error>(self, word: &str) -> Result<Trips, E> {
                match word {
                    "book" => Ok(Trips::Book),
                    "unlimited" => Ok(Trips::Unlimited),
                    other => Err(E::unknown_variant(other, &["book", "unlimited"])),
                }
            }
        }
        deserializer.deserialize_any(TripsVisitor)
    }
}

/// The fleet: how many taxis, when they leave, how many trips they make.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Fleet {
    /// Number of taxis.
    pub taxis: u64,
    /// When taxi 0 leaves the garage.
    pub first_departure: Tick,
    /// Ticks between two taxis' departures.
    pub departure_interval: Tick,
    /// Trips per taxi.
    pub trips: Trips,
}

/// One taxi that differs from the fleet, fully resolved.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct TaxiOverride {
    /// The taxi's id.
    pub id: u64,
    /// When it leaves the garage.
    pub start_time: Tick,
    /// Its trips.
    pub trips: Trips,
    /// Its durations.
    pub durations: PhaseDurations,
}

/// A fully resolved scenario: every value explicit.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Scenario {
    /// Format version.
    pub schema_version: u32,
    /// Short name.
    pub name: String,
    /// What question it answers.
    pub description: String,
    /// The run's end time.
    pub end_time: Tick,
    /// The seed, if fixed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    /// The generator.
    pub rng: RngKind,
    /// Minutes one tick stands for (for rates per hour).
    pub minutes_per_tick: f64,
    /// The fleet.
    pub fleet: Fleet,
    /// The fleet's durations.
    pub durations: PhaseDurations,
    /// Taxis that differ from the fleet, by id.
    #[serde(rename = "taxi", skip_serializing_if = "Vec::is_empty")]
    pub overrides: Vec<TaxiOverride>,
}

impl Scenario {
    /// The book's model with every default.
    pub fn book() -> Self {
        Self::resolve(ScenarioFile::default(), &Overrides::default())
            .expect("the defaults are valid")
    }

    /// The book's model with the command line's values applied.
    pub fn with_defaults(overrides: &Overrides) -> Result<Self, ScenarioError> {
        Self::resolve(ScenarioFile::default(), overrides).map_err(|problems| {
            ScenarioError::Invalid {
                origin: "(command line)".to_string(),
                problems,
            }
        })
    }

    /// Loads `FILE_OR_NAME`: a path to a `.toml` or `.json` file, or the
    /// name of a built-in scenario.
    pub fn load(file_or_name: &str, overrides: &Overrides) -> Result<Self, ScenarioError> {
        let (text, format) = read_source(file_or_name)?;
        Self::parse(&text, format, file_or_name, overrides)
    }

    /// Parses scenario text; `origin` names it in errors.
    pub fn parse(
        text: &str,
        format: Format,
        origin: &str,
        overrides: &Overrides,
    ) -> Result<Self, ScenarioError> {
        let file: ScenarioFile = match format {
            Format::Toml => toml::from_str(text).map_err(|error| ScenarioError::Parse {
                origin: origin.to_string(),
                message: errors::with_hint(error.to_string().trim_end()),
            })?,
            Format::Json => {
                let mut deserializer = serde_json::Deserializer::from_str(text);
                serde_path_to_error::deserialize(&mut deserializer)
                    .map_err(|error| errors::at_path(origin, error))?
            }
        };
        Self::resolve(file, overrides).map_err(|problems| ScenarioError::Invalid {
            origin: origin.to_string(),
            problems,
        })
    }

    /// Validates a parsed file and fills in defaults, collecting every problem.
    fn resolve(file: ScenarioFile, overrides: &Overrides) -> Result<Self, Vec<Problem>> {
        let mut problems = Vec::new();
        if file.schema_version != SCHEMA_VERSION {
            problems.push(Problem::new(
                "schema_version",
                file.schema_version,
                format!(
                    "this taxi-sim reads version {SCHEMA_VERSION} (the book model) and version 2 with model = \"dispatch\""
                ),
            ));
        }
        let taxis = overrides
            .taxis
            .or(file.fleet.taxis)
            .unwrap_or(DEFAULT_TAXIS);
        if taxis > MAX_TAXIS {
            problems.push(Problem::new(
                "fleet.taxis",
                taxis,
                format!("at most {MAX_TAXIS} taxis"),
            ));
        }
        let minutes_per_tick = file.minutes_per_tick.unwrap_or(1.0);
        // Within these bounds every rate of the summary is a finite number
        // (trips per hour of up to 2^64 trips over a tick), so a log holds it.
        if !(MIN_MINUTES_PER_TICK..=MAX_MINUTES_PER_TICK).contains(&minutes_per_tick) {
            problems.push(Problem::new(
                "minutes_per_tick",
                format!("{minutes_per_tick:?}"),
                format!(
                    "a positive number of minutes, from {MIN_MINUTES_PER_TICK:e} to {MAX_MINUTES_PER_TICK:e}"
                ),
            ));
        }
        let fleet = Fleet {
            taxis,
            first_departure: file.fleet.first_departure.unwrap_or(0),
            departure_interval: file
                .fleet
                .departure_interval
                .unwrap_or(DEFAULT_DEPARTURE_INTERVAL),
            trips: file.fleet.trips.unwrap_or_default(),
        };
        let last_departure = taxis
            .saturating_sub(1)
            .checked_mul(fleet.departure_interval)
            .and_then(|offset| offset.checked_add(fleet.first_departure));
        if last_departure.is_none() && taxis <= MAX_TAXIS {
            problems.push(Problem::new(
                "fleet.departure_interval",
                fleet.departure_interval,
                format!(
                    "the last of {taxis} taxis would leave after the largest time {}",
                    Tick::MAX
                ),
            ));
        }
        let durations = file
            .durations
            .resolve("durations", &PhaseDurations::BOOK, &mut problems);

        let mut resolved_overrides: Vec<TaxiOverride> = Vec::with_capacity(file.taxis.len());
        let mut overridden = std::collections::HashSet::with_capacity(file.taxis.len());
        for (index, entry) in file.taxis.iter().enumerate() {
            let at = format!("taxi[{index}]");
            if entry.id >= taxis {
                problems.push(Problem::new(
                    format!("{at}.id"),
                    entry.id,
                    if taxis == 0 {
                        "the fleet has no taxis".to_string()
                    } else {
                        format!(
                            "a taxi of the fleet: 0 to {} ({})",
                            taxis - 1,
                            crate::stdio::counted(taxis, "taxi")
                        )
                    },
                ));
                continue;
            }
            if !overridden.insert(entry.id) {
                // One duplicate is reported, not a flood of them.
                problems.push(Problem::new(
                    format!("{at}.id"),
                    entry.id,
                    "each taxi may be overridden once",
                ));
                break;
            }
            resolved_overrides.push(TaxiOverride {
                id: entry.id,
                start_time: entry
                    .start_time
                    .unwrap_or(fleet.first_departure + entry.id * fleet.departure_interval),
                trips: entry.trips.unwrap_or(fleet.trips),
                durations: entry.durations.resolve(
                    &format!("{at}.durations"),
                    &durations,
                    &mut problems,
                ),
            });
        }
        resolved_overrides.sort_by_key(|entry| entry.id);

        if !problems.is_empty() {
            return Err(problems);
        }
        Ok(Scenario {
            schema_version: SCHEMA_VERSION,
            name: file.name.unwrap_or_else(|| "custom".to_string()),
            description: file.description.unwrap_or_default(),
            end_time: overrides
                .end_time
                .or(file.end_time)
                .unwrap_or(DEFAULT_END_TIME),
            seed: overrides.seed.or(file.seed),
            rng: overrides.rng.or(file.rng).unwrap_or_default(),
            minutes_per_tick,
            fleet,
            durations,
            overrides: resolved_overrides,
        })
    }

    /// The distinct duration sets: the fleet's first, then those of the
    /// overrides that differ from it (and from each other).
    pub fn duration_sets(&self) -> Vec<PhaseDurations> {
        self.duration_set_indexes().0
    }

    /// The distinct duration sets, and for each override the index of its
    /// set: one pass with a hash map, so that many overrides stay linear.
    fn duration_set_indexes(&self) -> (Vec<PhaseDurations>, Vec<usize>) {
        let mut sets = vec![self.durations];
        let mut index_of = std::collections::HashMap::new();
        index_of.insert(durations_key(&self.durations), 0);
        let indexes = self
            .overrides
            .iter()
            .map(|entry| {
                *index_of
                    .entry(durations_key(&entry.durations))
                    .or_insert_with(|| {
                        sets.push(entry.durations);
                        sets.len() - 1
                    })
            })
            .collect();
        (sets, indexes)
    }

    /// Each taxi's plan, in id order, with overrides applied; `durations`
    /// indexes [`Scenario::duration_sets`].
    pub fn plans(&self) -> impl ExactSizeIterator<Item = TaxiPlan> + '_ {
        let fleet = self.fleet;
        let (_, set_indexes) = self.duration_set_indexes();
        let mut overrides = self.overrides.iter().zip(set_indexes).peekable();
        (0..fleet.taxis as usize).map(move |index| {
            let id = index as u64;
            match overrides.next_if(|(entry, _)| entry.id == id) {
                Some((entry, set)) => TaxiPlan {
                    start_time: entry.start_time,
                    trips: entry.trips.of_taxi(id),
                    durations: set,
                },
                None => TaxiPlan {
                    // Checked not to overflow when the scenario was resolved.
                    start_time: fleet.first_departure + id * fleet.departure_interval,
                    trips: fleet.trips.of_taxi(id),
                    durations: 0,
                },
            }
        })
    }

    /// The scenario as TOML text.
    pub fn to_toml(&self) -> String {
        toml::to_string_pretty(self).expect("a resolved scenario serializes")
    }
}

/// The text of `FILE_OR_NAME` (a file, or a built-in scenario's name) and
/// its format. A name that is a built-in's and no file here (a directory
/// called `rush-hour`) is the built-in, with a note when something of that
/// name exists.
pub(crate) fn read_source(
    file_or_name: &str,
) -> Result<(std::borrow::Cow<'static, str>, Format), ScenarioError> {
    let path = Path::new(file_or_name);
    if !path.is_file()
        && let Some(builtin) = find_builtin(file_or_name)
    {
        if path.exists() {
            crate::say!(
                "taxi-sim: note: '{}' here is not a file: using the built-in scenario '{}' (write ./{} for the path)",
                crate::stdio::printable(file_or_name),
                builtin.name,
                crate::stdio::printable(file_or_name)
            );
        }
        return Ok((builtin.source.into(), Format::Toml));
    }
    let text = std::fs::read_to_string(path).map_err(|source| {
        if source.kind() == std::io::ErrorKind::NotFound && !file_or_name.contains(['/', '.']) {
            ScenarioError::UnknownName {
                name: file_or_name.to_string(),
            }
        } else {
            ScenarioError::Read {
                origin: file_or_name.to_string(),
                cause: source,
            }
        }
    })?;
    Ok((text.into(), Format::of_path(path)))
}

/// A key equal for equal duration sets (their floats bit for bit, as the
/// derived equality compares them, up to the sign of zero).
fn durations_key(durations: &PhaseDurations) -> String {
    format!("{durations:?}")
}

/// Scenario file format, chosen by extension (`.json` is JSON, anything else TOML).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// TOML.
    Toml,
    /// JSON.
    Json,
}

impl Format {
    /// The format of a file, by its extension.
    pub fn of_path(path: &Path) -> Self {
        match path.extension().and_then(|extension| extension.to_str()) {
            Some(extension) if extension.eq_ignore_ascii_case("json") => Format::Json,
            _ => Format::Toml,
        }
    }
}

/// Values given explicitly on the command line; they win over the file.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Overrides {
    /// `--taxis`.
    pub taxis: Option<u64>,
    /// `--end-time`.
    pub end_time: Option<Tick>,
    /// `--seed`.
    pub seed: Option<u64>,
    /// `--rng`.
    pub rng: Option<RngKind>,
}

/// A scenario file as written: everything but the version is optional.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ScenarioFile {
    schema_version: u32,
    name: Option<String>,
    description: Option<String>,
    end_time: Option<Tick>,
    seed: Option<u64>,
    rng: Option<RngKind>,
    minutes_per_tick: Option<f64>,
    #[serde(default)]
    fleet: FleetFile,
    #[serde(default)]
    durations: DurationsFile,
    #[serde(default, rename = "taxi")]
    taxis: Vec<TaxiFile>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FleetFile {
    taxis: Option<u64>,
    first_departure: Option<Tick>,
    departure_interval: Option<Tick>,
    trips: Option<Trips>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct DurationsFile {
    #[serde(default, deserialize_with = "deserialize_optional_duration")]
    search: Option<DurationSpec>,
    #[serde(default, deserialize_with = "deserialize_optional_duration")]
    trip: Option<DurationSpec>,
    #[serde(default, deserialize_with = "deserialize_optional_duration")]
    going_home: Option<DurationSpec>,
}

impl DurationsFile {
    fn resolve(
        &self,
        at: &str,
        base: &PhaseDurations,
        problems: &mut Vec<Problem>,
    ) -> PhaseDurations {
        let mut check = |phase: &str, spec: Option<DurationSpec>, default: DurationSpec| {
            let spec = spec.unwrap_or(default);
            if let Err((parameter, message)) = spec.validate() {
                problems.push(Problem::bare(format!("{at}.{phase}.{parameter}"), message));
            }
            spec
        };
        PhaseDurations {
            search: check("search", self.search, base.search),
            trip: check("trip", self.trip, base.trip),
            going_home: check("going_home", self.going_home, base.going_home),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TaxiFile {
    id: u64,
    start_time: Option<Tick>,
    trips: Option<Trips>,
    #[serde(default)]
    durations: DurationsFile,
}

impl Default for ScenarioFile {
    fn default() -> Self {
        Self {
            schema_version: SCHEMA_VERSION,
            name: Some("fluent-python".to_string()),
            description: Some(BOOK_DESCRIPTION.to_string()),
            end_time: None,
            seed: None,
            rng: None,
            minutes_per_tick: None,
            fleet: FleetFile::default(),
            durations: DurationsFile::default(),
            taxis: Vec::new(),
        }
    }
}

/// Serialized with the scenario files' key names.
impl Serialize for PhaseDurations {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut state = serializer.serialize_struct("durations", 3)?;
        state.serialize_field("search", &self.search)?;
        state.serialize_field("trip", &self.trip)?;
        state.serialize_field("going_home", &self.going_home)?;
        state.end()
    }
}
