//! The commands: what `taxi-sim run`, `scenario`, `completions` and `man`
//! do, as library functions that tests can call.

use std::io::Write;
use std::path::Path;
use std::time::Duration;

use anyhow::{Context, bail};
use clap::CommandFactory;

use crate::cli::{Cli, Command, RunArgs, ScenarioCommand};
use std::sync::atomic::AtomicBool;

use crate::engine::{Flow, Observer, Outcome, RunError, StopReason, Tick};
use crate::exit::Exit;
use crate::interrupt;
use crate::models::AnyScenario;
use crate::output::{FormatKind, RunEnd, RunHeader, Sink, SinkError, TaxiEvent};
use crate::progress::{self, Progress};
use crate::replay;
use crate::rng::{self, CpythonRandom, RandomSource, RngKind};
use crate::scenario::{BUILTIN, Overrides, Scenario};
use crate::summary::Summary;
use crate::taxi::{self, TaxiAction};

/// A mistake on the command line that clap could not catch: exit code 2.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

/// Runs a parsed command line.
pub fn execute(cli: Cli) -> anyhow::Result<Exit> {
    match cli.command {
        Command::Run(args) => run(&args),
        Command::Replay(args) => replay::replay(&args),
        Command::Scenario(command) => scenario(command),
        Command::Validate(args) => crate::models::dispatch::commands::validate(&args),
        Command::Completions { shell } => {
            // Generated into memory first: the generator panics on write errors,
            // and `taxi-sim completions bash | head` must end quietly.
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "taxi-sim", &mut script);
            write_stdout(&script)
        }
        Command::Man => {
            let mut page = Vec::new();
            clap_mangen::Man::new(Cli::command()).render(&mut page)?;
            write_stdout(&page)
        }
    }
}

pub(crate) fn write_stdout(bytes: &[u8]) -> anyhow::Result<Exit> {
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(bytes)
        .and_then(|()| stdout.flush())
        .or_else(ignore_broken_pipe)?;
    Ok(Exit::Success)
}

/// The exit code for an error from [`execute`], after printing it.
pub fn report(error: &anyhow::Error) -> Exit {
    crate::say!("taxi-sim: error: {error:#}");
    if error.downcast_ref::<UsageError>().is_some() {
        Exit::Usage
    } else {
        Exit::Failure
    }
}

fn ignore_broken_pipe(error: std::io::Error) -> std::io::Result<()> {
    if error.kind() == std::io::ErrorKind::BrokenPipe {
        Ok(())
    } else {
        Err(error)
    }
}

/// Bytes a taxi needs during a run: its process, queue entry and statistics
/// (measured: see the README's memory figures), with room to spare.
const BYTES_PER_TAXI: u64 = 160;

/// Refuses fleets that cannot fit in memory, before allocating anything.
pub fn check_memory(taxis: u64) -> anyhow::Result<()> {
    let needed = taxis.saturating_mul(BYTES_PER_TAXI);
    if let Some(available) = available_memory()
        && needed > available
    {
        bail!(
            "{taxis} taxis need about {:.1} GB of memory, but only {:.1} GB is available",
            needed as f64 / 1e9,
            available as f64 / 1e9
        );
    }
    Ok(())
}

fn available_memory() -> Option<u64> {
    let meminfo = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = meminfo
        .lines()
        .find(|line| line.starts_with("MemAvailable:"))?;
    let kilobytes: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kilobytes * 1024)
}

/// The scenario of a run: the file's (either model) or the book's, with the flags applied.
fn run_scenario(args: &RunArgs) -> anyhow::Result<AnyScenario> {
    let overrides = Overrides {
        taxis: args.taxis,
        end_time: args.end_time,
        seed: args.seed,
        rng: args.rng,
    };
    let scenario = match &args.scenario {
        Some(file_or_name) => crate::models::load(file_or_name, &overrides)?,
        None => AnyScenario::Book(Scenario::with_defaults(&overrides)?),
    };
    Ok(scenario)
}

/// Opens every output before the run, so a bad path fails at once;
/// `formatter` makes a model's formatter of a kind.
pub(crate) fn open_sinks<F: ?Sized>(
    args: &RunArgs,
    formatter: impl Fn(FormatKind) -> Option<Box<F>>,
) -> anyhow::Result<Vec<Sink<F>>> {
    let to_stdout = args
        .export
        .iter()
        .filter(|path| path.as_os_str() == "-")
        .count();
    if to_stdout > 1 {
        return Err(UsageError("`--export -` can be given only once".into()).into());
    }
    let mut sinks = Vec::new();
    let stdout_format = match (to_stdout, args.format) {
        (0, format) => format.unwrap_or(FormatKind::Text),
        (_, None | Some(FormatKind::None)) => FormatKind::Json,
        (_, Some(format)) => format,
    };
    if let Some(formatter) = formatter(stdout_format) {
        sinks.push(Sink::stdout(formatter));
    }
    let mut seen: Vec<&Path> = Vec::new();
    for path in args.export.iter().filter(|path| path.as_os_str() != "-") {
        if seen.contains(&path.as_path()) {
            return Err(UsageError(format!("'{}' is exported twice", path.display())).into());
        }
        seen.push(path);
        let formatter = FormatKind::of_path(path)
            .and_then(&formatter)
            .ok_or_else(|| {
                UsageError(format!(
                    "cannot tell the format of export file '{}': name it .json, .jsonl, .csv or .txt",
                    path.display()
                ))
            })?;
        sinks.push(Sink::file(formatter, path)?);
    }
    Ok(sinks)
}

/// `taxi-sim run`.
pub fn run(args: &RunArgs) -> anyhow::Result<Exit> {
    let scenario = match run_scenario(args)? {
        AnyScenario::Book(scenario) => scenario,
        AnyScenario::Dispatch(scenario) => {
            return crate::models::dispatch::commands::run(args, scenario);
        }
    };
    let seed = match scenario.seed {
        Some(seed) => seed,
        None => {
            let seed = rng::os_seed();
            crate::say!("seed: {seed}");
            seed
        }
    };
    check_memory(scenario.fleet.taxis)?;
    let mut sinks = open_sinks(args, FormatKind::formatter)?;
    let stop_flag = interrupt::stop_flag();
    let header = RunHeader::new(&scenario, seed);
    let delay = (args.delay && args.delay_scale > 0.0).then_some(args.delay_scale);
    for sink in &mut sinks {
        sink.set_eager(delay.is_some());
        if let Err(error) = sink.header(&header) {
            return quiet_on_broken_pipe(error);
        }
    }
    let settings = RunSettings {
        scenario: &scenario,
        seed,
        max_events: args.max_events.unwrap_or(u64::MAX),
        delay,
        progress: progress::wanted(args.quiet),
    };
    let (outcome, summary) = match simulate(&settings, &mut sinks, Some(stop_flag)) {
        Ok(done) => done,
        Err(RunError::Observer(error)) => return quiet_on_broken_pipe(error),
        Err(RunError::Engine(error)) => return Err(error.into()),
    };
    let end = RunEnd {
        outcome: &outcome,
        summary: &summary,
    };
    for sink in sinks {
        if let Err(error) = sink.finish(&end) {
            return quiet_on_broken_pipe(error);
        }
    }
    if !args.quiet {
        crate::say!("{}", summary.short());
    }
    if outcome.reason == StopReason::Interrupted {
        crate::say!(
            "taxi-sim: interrupted at time {} after {} events",
            outcome.sim_time,
            outcome.events
        );
        return Ok(Exit::Interrupted);
    }
    Ok(Exit::Success)
}

/// A closed stdout (`taxi-sim run | head`) ends the run quietly.
pub(crate) fn quiet_on_broken_pipe(error: SinkError) -> anyhow::Result<Exit> {
    if error.is_broken_pipe() {
        Ok(Exit::Success)
    } else {
        Err(error.into())
    }
}

/// What a run needs besides its outputs.
#[derive(Debug, Clone, Copy)]
pub struct RunSettings<'a> {
    /// The scenario.
    pub scenario: &'a Scenario,
    /// The seed.
    pub seed: u64,
    /// Stop after this many events.
    pub max_events: u64,
    /// Seconds per tick to sleep before events, if any.
    pub delay: Option<f64>,
    /// Whether a progress bar may be drawn.
    pub progress: bool,
}

/// Runs a scenario into `sinks` (headers already written); returns the
/// outcome and the summary. `stop_flag` interrupts it.
pub fn simulate(
    settings: &RunSettings,
    sinks: &mut [Sink],
    stop_flag: Option<&AtomicBool>,
) -> Result<(Outcome, Summary), RunError<SinkError>> {
    match settings.scenario.rng {
        RngKind::Cpython => simulate_with(
            settings,
            CpythonRandom::new(settings.seed),
            true,
            sinks,
            stop_flag,
        ),
        RngKind::Pcg64 => {
            simulate_with(settings, rng::pcg64(settings.seed), false, sinks, stop_flag)
        }
    }
}

fn simulate_with<R: RandomSource>(
    settings: &RunSettings,
    rng: R,
    cpython_tables: bool,
    sinks: &mut [Sink],
    stop_flag: Option<&AtomicBool>,
) -> Result<(Outcome, Summary), RunError<SinkError>> {
    let scenario = settings.scenario;
    let mut sim = taxi::simulator(
        scenario.plans(),
        &scenario.duration_sets(),
        rng,
        cpython_tables,
        scenario.end_time,
    )?
    .with_max_events(settings.max_events);
    let progress = Progress::new(settings.progress, scenario.end_time);
    let outcome = match settings.delay {
        // No event output: the loop needs to know nothing but the progress.
        None if sinks.is_empty() => sim.run(&mut ProgressOnly(progress), stop_flag)?,
        None => sim.run(
            &mut RunObserver::<false>::new(sinks, progress, 0.0),
            stop_flag,
        )?,
        Some(seconds_per_tick) => sim.run(
            &mut RunObserver::<true>::new(sinks, progress, seconds_per_tick),
            stop_flag,
        )?,
    };
    Ok((
        outcome,
        taxi::summary(&sim, &outcome, scenario.minutes_per_tick),
    ))
}

/// Follows a run without event output: only its progress.
struct ProgressOnly(Progress);

impl Observer<TaxiAction> for ProgressOnly {
    type Error = SinkError;

    #[inline(always)]
    fn on_event(&mut self, _: TaxiEvent) -> Result<(), SinkError> {
        Ok(())
    }

    fn on_progress(&mut self, now: Tick, events: u64) {
        self.0.update(now, events);
    }
}

/// Feeds each event to the outputs and the progress bar;
/// `PACED` runs sleep before each event, as the book's delayed run does.
struct RunObserver<'a, const PACED: bool> {
    sinks: &'a mut [Sink],
    progress: Progress,
    seconds_per_tick: f64,
}

impl<'a, const PACED: bool> RunObserver<'a, PACED> {
    fn new(sinks: &'a mut [Sink], progress: Progress, seconds_per_tick: f64) -> Self {
        Self {
            sinks,
            progress,
            seconds_per_tick,
        }
    }
}

impl<const PACED: bool> Observer<TaxiAction> for RunObserver<'_, PACED> {
    type Error = SinkError;
    const LOOKS_AHEAD: bool = PACED;

    fn before_event(&mut self, now: Tick, next: Tick) -> Flow {
        let seconds = (next - now) as f64 * self.seconds_per_tick;
        let cut_short =
            interrupt::sleep(Duration::try_from_secs_f64(seconds).unwrap_or(Duration::MAX));
        if cut_short {
            Flow::Stop
        } else {
            Flow::Continue
        }
    }

    #[inline(always)]
    fn on_event(&mut self, event: TaxiEvent) -> Result<(), SinkError> {
        for sink in self.sinks.iter_mut() {
            sink.event(&event)?;
        }
        Ok(())
    }

    fn on_progress(&mut self, now: Tick, events: u64) {
        self.progress.update(now, events);
    }
}

/// `taxi-sim scenario ...`.
pub fn scenario(command: ScenarioCommand) -> anyhow::Result<Exit> {
    let mut stdout = std::io::stdout().lock();
    match command {
        ScenarioCommand::Check { files } => {
            let mut failed = 0;
            for file in &files {
                match crate::models::load(file, &Overrides::default()) {
                    Ok(AnyScenario::Dispatch(scenario)) => writeln!(
                        stdout,
                        "ok: {file}: '{}', dispatch model, {} taxis, end time {}",
                        scenario.name, scenario.fleet.taxis, scenario.end_time
                    )
                    .or_else(ignore_broken_pipe)?,
                    Ok(AnyScenario::Book(scenario)) => writeln!(
                        stdout,
                        "ok: {file}: '{}', {} taxis, end time {}",
                        scenario.name, scenario.fleet.taxis, scenario.end_time
                    )
                    .or_else(ignore_broken_pipe)?,
                    Err(error) => {
                        failed += 1;
                        crate::say!("taxi-sim: error: {error}");
                    }
                }
            }
            if failed > 0 {
                crate::say!(
                    "taxi-sim: {failed} of {} scenarios are invalid",
                    files.len()
                );
                return Ok(Exit::Failure);
            }
        }
        ScenarioCommand::Show { scenario, json } => {
            let text = match crate::models::load(&scenario, &Overrides::default())? {
                AnyScenario::Book(scenario) if json => serde_json::to_string_pretty(&scenario)
                    .context("could not write the scenario as JSON")?,
                AnyScenario::Book(scenario) => scenario.to_toml(),
                AnyScenario::Dispatch(scenario) if json => serde_json::to_string_pretty(&scenario)
                    .context("could not write the scenario as JSON")?,
                AnyScenario::Dispatch(scenario) => scenario.to_toml(),
            };
            writeln!(stdout, "{}", text.trim_end()).or_else(ignore_broken_pipe)?;
        }
        ScenarioCommand::List => {
            let width = BUILTIN
                .iter()
                .map(|builtin| builtin.name.len())
                .max()
                .unwrap_or(0);
            for builtin in BUILTIN {
                let scenario = crate::models::load(builtin.name, &Overrides::default())?;
                writeln!(
                    stdout,
                    "{:width$}  {}",
                    builtin.name,
                    scenario.description()
                )
                .or_else(ignore_broken_pipe)?;
            }
        }
    }
    Ok(Exit::Success)
}
