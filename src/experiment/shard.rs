//! Shards: a sweep cut into N parts that run anywhere, and merged back into
//! exactly the bytes of the whole sweep.
//!
//! Runs are numbered `k = point * replications + replication`, in grid
//! order. Shard I of N (1-based) runs every `k` with `k % N == I - 1`: the
//! shards differ by at most one run, and the assignment depends only on the
//! sweep's definition. A shard document holds the definition, the shard's
//! place and each of its runs' raw values.

use std::fmt;
use std::path::Path;
use std::str::FromStr;

use anyhow::{Context, bail};
use serde::{Deserialize, Serialize};

use super::sweep::{SweepDefinition, SweepResult};

/// What a shard document says it is.
pub const SHARD_KIND: &str = "taxi-sim sweep shard";

/// `--shard I/N`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShardSpec {
    /// Which shard, from 1.
    pub index: u64,
    /// Of how many.
    pub count: u64,
}

impl ShardSpec {
    /// The runs of this shard, among `total`, in order.
    pub fn runs(&self, total: u64) -> Vec<u64> {
        (self.index - 1..total)
            .step_by(self.count as usize)
            .collect()
    }
}

impl FromStr for ShardSpec {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let parsed = text.split_once('/').and_then(|(index, count)| {
            Some((index.trim().parse().ok()?, count.trim().parse().ok()?))
        });
        match parsed {
            Some((index, count)) if (1..=count).contains(&index) && count <= usize::MAX as u64 => {
                Ok(Self { index, count })
            }
            _ => Err(format!(
                "'{text}' is not I/N with 1 <= I <= N (for example 2/8)"
            )),
        }
    }
}

impl fmt::Display for ShardSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// One run of a shard.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShardRun {
    /// Its number `k`.
    pub run: u64,
    /// One value per measure (null: not a number).
    pub values: Vec<Option<f64>>,
}

/// A shard document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShardDocument {
    /// Always [`SHARD_KIND`].
    pub kind: String,
    /// Version of this document.
    pub schema_version: u32,
    /// The taxi-sim that ran it: results of other versions may differ.
    pub taxi_sim_version: String,
    /// Which shard.
    pub shard: ShardSpec,
    /// The whole sweep's definition.
    pub sweep: SweepDefinition,
    /// The shard's runs, in order.
    pub runs: Vec<ShardRun>,
}

impl ShardDocument {
    /// The document of shard `shard` of the sweep `definition` with `runs`.
    pub fn new(definition: SweepDefinition, shard: ShardSpec, runs: Vec<(u64, Vec<f64>)>) -> Self {
        Self {
            kind: SHARD_KIND.to_string(),
            schema_version: super::report::SCHEMA_VERSION,
            taxi_sim_version: env!("CARGO_PKG_VERSION").to_string(),
            shard,
            sweep: definition,
            runs: runs
                .into_iter()
                .map(|(run, values)| ShardRun {
                    run,
                    values: values
                        .into_iter()
                        .map(|value| value.is_finite().then_some(value))
                        .collect(),
                })
                .collect(),
        }
    }

    /// The document as pretty JSON, ending with a newline.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = serde_json::to_vec_pretty(self).expect("a shard serializes");
        out.push(b'\n');
        out
    }
}

fn read_shard(path: &Path) -> anyhow::Result<ShardDocument> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("could not read shard '{}'", path.display()))?;
    let not_a_shard = |reason: String| {
        anyhow::anyhow!(
            "'{}' is not a taxi-sim sweep shard: {reason}",
            path.display()
        )
    };
    let json: serde_json::Value =
        serde_json::from_str(&text).map_err(|error| not_a_shard(error.to_string()))?;
    if json.get("kind").and_then(|kind| kind.as_str()) != Some(SHARD_KIND) {
        return Err(not_a_shard(format!("it has no \"kind\": \"{SHARD_KIND}\"")));
    }
    let document: ShardDocument =
        serde_json::from_value(json).map_err(|error| not_a_shard(error.to_string()))?;
    if document.taxi_sim_version != env!("CARGO_PKG_VERSION") {
        bail!(
            "'{}' was made by taxi-sim {}, and this is {}: merge with the version that ran the shards",
            path.display(),
            document.taxi_sim_version,
            env!("CARGO_PKG_VERSION")
        );
    }
    let shard = document.shard;
    if shard.index == 0 || shard.index > shard.count {
        return Err(not_a_shard(format!("shard {shard} does not exist")));
    }
    let expected = shard.runs(document.sweep.run_count());
    let found: Vec<u64> = document.runs.iter().map(|run| run.run).collect();
    if found != expected {
        return Err(not_a_shard(format!(
            "shard {shard} should hold {} of its sweep, and holds other runs",
            crate::stdio::counted(expected.len() as u64, "run")
        )));
    }
    let measures = document.sweep.measures.len();
    if document.runs.iter().any(|run| run.values.len() != measures) {
        return Err(not_a_shard(format!(
            "a run does not have one value for each of the {}",
            crate::stdio::counted(measures as u64, "measure")
        )));
    }
    Ok(document)
}

/// The first part of a sweep's identity where `a` and `b` differ.
fn difference(a: &ShardDocument, b: &ShardDocument) -> Option<String> {
    let (x, y) = (&a.sweep, &b.sweep);
    // (Both were made by this taxi-sim: `read_shard` checks it.)
    if a.schema_version != b.schema_version {
        return Some("its document version differs".into());
    }
    if x.scenario != y.scenario {
        return Some("its scenario differs".into());
    }
    if x.seed != y.seed {
        return Some(format!("its seed is {}, not {}", y.seed, x.seed));
    }
    if x.vary != y.vary {
        return Some("its varied values differ".into());
    }
    if x.replications != y.replications {
        return Some(format!(
            "it has {}, not {}",
            crate::stdio::counted(y.replications, "replication"),
            x.replications
        ));
    }
    if x.confidence != y.confidence {
        return Some(format!(
            "its confidence is {}, not {}",
            y.confidence, x.confidence
        ));
    }
    if x.measures != y.measures {
        return Some("its measures differ".into());
    }
    if a.shard.count != b.shard.count {
        return Some(format!(
            "it is one of {}, not {}",
            crate::stdio::counted(b.shard.count, "shard"),
            a.shard.count
        ));
    }
    None
}

/// Merges the shard files `paths` (any order) into the whole sweep.
pub fn merge(paths: &[impl AsRef<Path>]) -> anyhow::Result<SweepResult> {
    let mut shards: Vec<(&Path, ShardDocument)> = Vec::with_capacity(paths.len());
    for path in paths {
        let path = path.as_ref();
        let document = read_shard(path)?;
        if let Some((first_path, first)) = shards.first()
            && let Some(reason) = difference(first, &document)
        {
            bail!(
                "'{}' is a shard of a different sweep than '{}': {reason}",
                path.display(),
                first_path.display()
            );
        }
        if let Some((other, _)) = shards
            .iter()
            .find(|(_, earlier)| earlier.shard == document.shard)
        {
            bail!(
                "duplicate shard {}: '{}' and '{}'",
                document.shard,
                other.display(),
                path.display()
            );
        }
        shards.push((path, document));
    }
    let Some((_, first)) = shards.first() else {
        bail!("no shards to merge");
    };
    let count = first.shard.count;
    let missing: Vec<String> = (1..=count)
        .filter(|index| !shards.iter().any(|(_, shard)| shard.shard.index == *index))
        .map(|index| format!("{index}/{count}"))
        .collect();
    if !missing.is_empty() {
        bail!(
            "missing shard{} {} (given {} of {count})",
            if missing.len() > 1 { "s" } else { "" },
            missing.join(", "),
            shards.len()
        );
    }
    let definition = first.sweep.clone();
    let runs = shards.into_iter().flat_map(|(_, shard)| {
        shard.runs.into_iter().map(|run| {
            let values = run
                .values
                .into_iter()
                .map(|value| value.unwrap_or(f64::NAN))
                .collect();
            (run.run, values)
        })
    });
    Ok(SweepResult::from_runs(definition, runs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_take_turns_and_cover_every_run_once() {
        let shards: Vec<Vec<u64>> = (1..=3)
            .map(|index| ShardSpec { index, count: 3 }.runs(8))
            .collect();
        assert_eq!(shards, [vec![0, 3, 6], vec![1, 4, 7], vec![2, 5]]);
        assert_eq!(ShardSpec { index: 4, count: 4 }.runs(2), Vec::<u64>::new());
    }

    #[test]
    fn a_shard_is_i_of_n() {
        assert_eq!("2/3".parse(), Ok(ShardSpec { index: 2, count: 3 }));
        for bad in ["0/3", "4/3", "3", "a/b", "1/0", "-1/2"] {
            assert!(bad.parse::<ShardSpec>().is_err(), "{bad}");
        }
    }
}

#[cfg(test)]
mod bite_tests {
    use super::*;
    use crate::experiment::sweep::VaryColumn;

    /// Two points of two replications, one measure: runs 0 to 3.
    fn definition() -> SweepDefinition {
        SweepDefinition {
            scenario: serde_json::json!({"name": "demo"}),
            seed: 3,
            replications: 2,
            confidence: 0.95,
            vary: vec![VaryColumn {
                key: "taxis".into(),
                values: vec![serde_json::json!(1), serde_json::json!(2)],
            }],
            measures: vec!["m".into()],
        }
    }

    fn write(directory: &Path, name: &str, document: &ShardDocument) -> std::path::PathBuf {
        let path = directory.join(name);
        std::fs::write(&path, document.to_bytes()).unwrap();
        path
    }

    #[test]
    fn shards_written_by_hand_merge_into_their_values_with_nan_kept() {
        let directory = tempfile::tempdir().unwrap();
        let first = ShardDocument::new(
            definition(),
            ShardSpec { index: 1, count: 2 },
            vec![(0, vec![1.5]), (2, vec![f64::NAN])],
        );
        let second = ShardDocument::new(
            definition(),
            ShardSpec { index: 2, count: 2 },
            vec![(1, vec![2.5]), (3, vec![4.0])],
        );
        assert_eq!(first.runs[1].values, [None]);
        let bytes = first.to_bytes();
        assert!(bytes.ends_with(b"}\n"));
        let paths = [
            write(directory.path(), "b.json", &second),
            write(directory.path(), "a.json", &first),
        ];
        let merged = merge(&paths).unwrap();
        assert_eq!(merged.definition, definition());
        assert_eq!(merged.values[0], [vec![1.5, 2.5]]);
        assert!(merged.values[1][0][0].is_nan());
        assert_eq!(merged.values[1][0][1], 4.0);
    }

    #[test]
    fn a_shard_numbered_zero_or_beyond_its_count_does_not_exist() {
        let directory = tempfile::tempdir().unwrap();
        for (index, count) in [(0, 2), (3, 2)] {
            let mut document = ShardDocument::new(
                definition(),
                ShardSpec { index: 1, count: 2 },
                vec![(0, vec![1.0]), (2, vec![2.0])],
            );
            document.shard = ShardSpec { index, count };
            let path = write(directory.path(), "odd.json", &document);
            let message = merge(&[&path]).unwrap_err().to_string();
            assert!(
                message.contains(&format!("shard {index}/{count} does not exist")),
                "{message}"
            );
        }
    }

    #[test]
    fn a_shard_without_one_value_per_measure_is_refused() {
        let directory = tempfile::tempdir().unwrap();
        let document = ShardDocument::new(
            definition(),
            ShardSpec { index: 1, count: 1 },
            (0..4).map(|run| (run, vec![1.0, 2.0])).collect(),
        );
        let path = write(directory.path(), "wide.json", &document);
        let message = merge(&[&path]).unwrap_err().to_string();
        assert!(
            message.contains("one value for each of the 1 measure"),
            "{message}"
        );
    }
}
