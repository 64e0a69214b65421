//! The commands: what `taxi-sim run`, `scenario`, `completions` and `man`
//! do, as library functions that tests can call.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use clap::CommandFactory;

use crate::cli::{Cli, Command, RunArgs, ScenarioCommand};
use std::sync::atomic::AtomicBool;

use crate::engine::{Flow, Observer, Outcome, RunError, Simulator, StopReason, Tick, Timing};
use crate::exit::Exit;
use crate::interrupt;
use crate::manual;
use crate::model::{InputFile, Model};
use crate::models::AnyScenario;
use crate::models::book::quiet;
use crate::models::book::summary::Summary;
use crate::models::book::taxi::{self, Taxi, TaxiAction};
use crate::models::book::{Book, BookSink, TaxiEvent};
use crate::output::{FormatKind, ModelSink, RunEnd, RunHeader, Sink, SinkError};
use crate::progress::{self, Progress};
use crate::replay;
use crate::rng::{self, CpythonRandom, RandomSource, RngKind};
use crate::scenario::{BUILTIN, Overrides, Scenario};
use crate::stdio;

/// A mistake on the command line that clap could not catch: exit code 2.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

/// Runs a parsed command line.
pub fn execute(cli: Cli) -> anyhow::Result<Exit> {
    match cli.command {
        Command::Run(args) => run(&args),
        Command::Replay(args) => {
            if args.delay.is_some() && !args.show {
                crate::say!(
                    "taxi-sim: warning: --delay without --show paces a verification that shows nothing; add --show to watch the events"
                );
            }
            replay::replay(&args)
        }
        Command::Validate(args) => crate::models::dispatch::commands::validate(&args),
        Command::Sweep(args) => crate::experiment::command::sweep(&args),
        Command::Size(args) => crate::experiment::command::size(&args),
        Command::Merge(args) => crate::experiment::command::merge(&args),
        Command::Scenario(command) => scenario(command),
        Command::Chart(args) => crate::chart::chart(&args),
        // Generated into memory first: the generators panic on write errors,
        // and `taxi-sim completions bash | head` must end quietly.
        Command::Completions { shell } => {
            write_stdout(&manual::completion_script(shell, &mut Cli::command()))
        }
        Command::Man { dir } => {
            let pages = manual::man_pages(Cli::command())?;
            match dir {
                None => write_stdout(&pages[0].roff),
                Some(dir) => {
                    let mut listing = String::new();
                    for path in manual::write_pages(&pages, &dir)? {
                        listing.push_str(&format!("{}\n", path.display()));
                    }
                    write_stdout(listing.as_bytes())
                }
            }
        }
    }
}

pub(crate) fn write_stdout(bytes: &[u8]) -> anyhow::Result<Exit> {
    stdio::write_stdout(bytes).context("could not write stdout")?;
    Ok(Exit::Success)
}

/// Prints what clap has to say about the command line, through checked
/// writes (clap's own printing ignores a full stdout and panics on a
/// closed stderr), and returns the exit code: help and version go to
/// stdout (exit 0, or 1 if they cannot be written), errors to stderr (2).
pub fn report_parse_error(error: &clap::Error) -> Exit {
    let styled = error.render();
    if error.use_stderr() {
        let text = if std::io::stderr().is_terminal() {
            styled.ansi().to_string()
        } else {
            styled.to_string()
        };
        crate::say!("{}", text.trim_end());
        return if error.exit_code() == 0 {
            Exit::Success
        } else {
            Exit::Usage
        };
    }
    let text = if std::io::stdout().is_terminal() {
        styled.ansi().to_string()
    } else {
        styled.to_string()
    };
    match stdio::write_stdout(text.as_bytes()) {
        Ok(()) => Exit::Success,
        Err(cause) => {
            crate::say!("taxi-sim: error: could not write stdout: {cause}");
            Exit::Failure
        }
    }
}

/// The exit code for an error from [`execute`], after printing it.
pub fn report(error: &anyhow::Error) -> Exit {
    // Messages quote paths and values from files: no control characters
    // reach the terminal, and no line is megabytes long.
    crate::say!(
        "taxi-sim: error: {}",
        stdio::tidy_message(&format!("{error:#}"))
    );
    if error.downcast_ref::<UsageError>().is_some() {
        Exit::Usage
    } else {
        Exit::Failure
    }
}

/// Bytes a taxi needs during a run: its process, queue entry and statistics
/// (measured: see the README's memory figures), with room to spare.
const BYTES_PER_TAXI: u64 = 160;

/// Bytes a distinct set of durations needs during a run: its samplers'
/// tables (measured about 40 KB), with room to spare.
const BYTES_PER_DURATION_SET: u64 = 48 * 1024;

/// Refuses scenarios that cannot fit in memory, before allocating the run:
/// the fleet, the per-taxi overrides and their distinct duration sets.
pub fn check_scenario_memory(scenario: &Scenario) -> anyhow::Result<()> {
    let overrides = (scenario.overrides.len() as u64)
        .saturating_mul(std::mem::size_of::<crate::scenario::TaxiOverride>() as u64);
    let sets = (scenario.duration_sets().len() as u64).saturating_mul(BYTES_PER_DURATION_SET);
    check_memory_bytes(
        scenario.fleet.taxis,
        scenario
            .fleet
            .taxis
            .saturating_mul(BYTES_PER_TAXI)
            .saturating_add(overrides)
            .saturating_add(sets),
    )
}

/// Refuses fleets that cannot fit in memory, before allocating anything.
pub fn check_memory(taxis: u64) -> anyhow::Result<()> {
    check_memory_bytes(taxis, taxis.saturating_mul(BYTES_PER_TAXI))
}

fn check_memory_bytes(taxis: u64, needed: u64) -> anyhow::Result<()> {
    refuse_beyond_memory(taxis, needed, available_memory())
}

/// Refuses a run that needs more than the `available` memory (unknown:
/// not refused).
fn refuse_beyond_memory(taxis: u64, needed: u64, available: Option<u64>) -> anyhow::Result<()> {
    if let Some(available) = available
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
    if let Some((flag, key)) = overrides.conflict_with(&args.sets) {
        return Err(UsageError(format!(
            "{flag} and --set {key} both set {key}: give only one"
        ))
        .into());
    }
    Ok(crate::models::load_with_sets(
        args.scenario.as_deref(),
        &overrides,
        &args.sets,
    )?)
}

/// What makes two paths one file: its device and inode when it exists,
/// else its canonical directory and its name.
#[derive(Debug, PartialEq, Eq)]
enum FileKey {
    Existing(u64, u64),
    Planned(PathBuf),
}

fn file_key(path: &Path) -> Option<FileKey> {
    if let Ok(metadata) = std::fs::metadata(path) {
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            return Some(FileKey::Existing(metadata.dev(), metadata.ino()));
        }
        #[cfg(not(unix))]
        {
            let _ = metadata;
            return path.canonicalize().ok().map(FileKey::Planned);
        }
    }
    let directory = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    Some(FileKey::Planned(
        directory.canonicalize().ok()?.join(path.file_name()?),
    ))
}

/// Refuses an export that would replace the scenario file, a file the
/// scenario reads (`inputs`: a demand file), another export, or the file
/// stdout is redirected to, however each is spelt.
fn check_export_targets(
    args: &RunArgs,
    inputs: &[InputFile],
    stdout_written: bool,
) -> Result<(), UsageError> {
    let scenario_key = args
        .scenario
        .as_deref()
        .map(Path::new)
        .filter(|path| path.exists())
        .and_then(file_key);
    let stdout_key = stdout_written
        .then(stdio::stdout_file_identity)
        .flatten()
        .map(|(device, inode)| FileKey::Existing(device, inode));
    let mut seen: Vec<(FileKey, &Path)> = Vec::new();
    for path in args.export.iter().filter(|path| path.as_os_str() != "-") {
        let Some(key) = file_key(path) else {
            continue; // its directory does not exist: opening it will say so
        };
        if scenario_key.as_ref() == Some(&key) {
            return Err(UsageError(format!(
                "export file '{}' is the scenario file '{}': it would be overwritten",
                path.display(),
                args.scenario.as_deref().unwrap_or_default()
            )));
        }
        if let Some(input) = inputs
            .iter()
            .find(|input| file_key(&input.path).as_ref() == Some(&key))
        {
            return Err(UsageError(format!(
                "export file '{}' is the scenario's {} '{}': it would be overwritten",
                path.display(),
                input.role,
                input.path.display()
            )));
        }
        if stdout_key.as_ref() == Some(&key) {
            return Err(UsageError(format!(
                "export file '{}' is the file stdout is redirected to",
                path.display()
            )));
        }
        if let Some((_, earlier)) = seen.iter().find(|(seen_key, _)| *seen_key == key) {
            return Err(UsageError(if *earlier == path.as_path() {
                format!("'{}' is exported twice", path.display())
            } else {
                format!(
                    "'{}' and '{}' are the same file: it is exported twice",
                    earlier.display(),
                    path.display()
                )
            }));
        }
        seen.push((key, path));
    }
    Ok(())
}

/// Opens every output before the run, so a bad path fails at once;
/// `formatter` makes a model's formatter of a kind. No output may replace
/// the scenario or its `inputs`.
fn open_sinks<F: ?Sized>(
    args: &RunArgs,
    inputs: &[InputFile],
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
    let stdout_formatter = formatter(stdout_format);
    check_export_targets(args, inputs, stdout_formatter.is_some())?;
    if let Some(formatter) = stdout_formatter {
        stdio::check_stdout_open().context("could not write stdout")?;
        sinks.push(Sink::stdout(formatter));
    }
    for path in args.export.iter().filter(|path| path.as_os_str() != "-") {
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
    let seed = seed_or_drawn(scenario.seed);
    check_scenario_memory(&scenario)?;
    let delay = run_delay(args);
    let mut sinks = match open_run_outputs::<Book>(args, &scenario, seed, delay)? {
        Ok(sinks) => sinks,
        Err(exit) => return Ok(exit),
    };
    let stop_flag = interrupt::stop_flag();
    let settings = RunSettings {
        scenario: &scenario,
        seed,
        max_events: args.max_events.unwrap_or(u64::MAX),
        delay,
        progress: progress::wanted_beside_events(args.quiet, prints_events(args)),
    };
    let threads = run_threads(args.threads, &settings);
    let (outcome, summary) =
        match simulate_on_threads(&settings, threads, &mut sinks, Some(stop_flag)) {
            Ok(done) => done,
            Err(RunError::Observer(error)) => return quiet_on_broken_pipe(error),
            Err(RunError::Engine(error)) => {
                // The events taken so far are still the user's: print them.
                for sink in sinks.iter_mut().filter(|sink| sink.is_stdout()) {
                    let _ = sink.flush();
                }
                return Err(error.into());
            }
        };
    finish_run_outputs::<Book>(args, sinks, &outcome, &summary)
}

/// Opens the outputs of a run of model `M` (none may replace the scenario
/// or a file it reads) and writes their headers; `Ok(Err(exit))`: stdout's
/// reader went away, and the run ends there, as it says.
pub(crate) fn open_run_outputs<M: Model>(
    args: &RunArgs,
    scenario: &M::Scenario,
    seed: u64,
    delay: Option<f64>,
) -> anyhow::Result<Result<Vec<ModelSink<M>>, Exit>> {
    let mut sinks = open_sinks(args, &M::input_files(scenario), FormatKind::formatter::<M>)?;
    interrupt::stop_flag();
    let header = RunHeader::<M>::new(scenario, seed);
    let files = sinks_with_files(&args.export);
    match write_headers(&mut sinks, delay.is_some(), files, |sink| {
        sink.header(&header)
    }) {
        Ok(()) => Ok(Ok(sinks)),
        Err(error) => quiet_on_broken_pipe(error).map(Err),
    }
}

/// Completes the outputs of a finished run of model `M`, says its summary
/// (unless quiet) and returns its exit code.
pub(crate) fn finish_run_outputs<M: Model>(
    args: &RunArgs,
    sinks: Vec<ModelSink<M>>,
    outcome: &M::Outcome,
    summary: &M::Summary,
) -> anyhow::Result<Exit> {
    finish_sinks(sinks, |sink| sink.finish(&RunEnd::<M> { outcome, summary }))?;
    let ending = M::ending(outcome);
    Ok(closing_lines(
        args.quiet,
        &M::summary_lines(summary),
        ending.reason,
        &ending.sim_time,
        ending.events,
    ))
}

/// The scenario's seed, or one drawn from the system and printed on stderr
/// (even with `--quiet`: it is the only way to run the same simulation again).
pub(crate) fn seed_or_drawn(seed: Option<u64>) -> u64 {
    seed.unwrap_or_else(|| {
        let seed = rng::os_seed();
        crate::say!("seed: {seed}");
        seed
    })
}

/// Seconds per tick of a paced run (`-d`), if any; `--delay-scale` without
/// `-d` does nothing, and a warning says so.
pub(crate) fn run_delay(args: &RunArgs) -> Option<f64> {
    let delay_scale = args.delay_scale.unwrap_or(0.5);
    if args.delay_scale.is_some() && !args.delay {
        crate::say!("taxi-sim: warning: --delay-scale has no effect without -d/--delay");
    }
    (args.delay && delay_scale > 0.0).then_some(delay_scale)
}

/// Writes each output's header (`eager`: flushed after every event). A
/// stdout whose reader went away while `files` are written is closed and
/// dropped: the files go on.
fn write_headers<F: ?Sized>(
    sinks: &mut Vec<Sink<F>>,
    eager: bool,
    files: bool,
    mut header: impl FnMut(&mut Sink<F>) -> Result<(), SinkError>,
) -> Result<(), SinkError> {
    for sink in sinks.iter_mut() {
        sink.set_eager(eager);
        if let Err(error) = header(sink) {
            if !stdout_closed_beside_files(sink, &error, files) {
                return Err(error);
            }
            sink.close();
        }
    }
    sinks.retain(|sink| !sink.is_closed());
    Ok(())
}

/// Finishes every output even if one fails: a full disk for one file, or a
/// closed stdout, must not cost the others. The first real error is returned.
fn finish_sinks<F: ?Sized>(
    sinks: Vec<Sink<F>>,
    mut finish: impl FnMut(Sink<F>) -> Result<(), SinkError>,
) -> anyhow::Result<()> {
    let mut first_error = None;
    for sink in sinks {
        if let Err(error) = finish(sink)
            && !error.is_broken_pipe()
            && first_error.is_none()
        {
            first_error = Some(error);
        }
    }
    match first_error {
        Some(error) => Err(error.into()),
        None => Ok(()),
    }
}

/// The run's closing lines on stderr (the summary unless `quiet`, and a
/// note of an interruption) and its exit code.
fn closing_lines(
    quiet: bool,
    summary: &str,
    reason: StopReason,
    sim_time: &str,
    events: u64,
) -> Exit {
    if !quiet {
        crate::say!("{summary}");
        // Asked for, but easy to forget when reading the numbers above: a
        // run cut short measures less than its end time promised.
        if reason == StopReason::EventLimit {
            crate::say!(
                "taxi-sim: stopped at the event limit, time {sim_time} after {}",
                stdio::counted(events, "event")
            );
        }
    }
    if reason == StopReason::Interrupted {
        crate::say!(
            "taxi-sim: interrupted at time {sim_time} after {}",
            stdio::counted(events, "event")
        );
        return Exit::Interrupted;
    }
    Exit::Success
}

/// Events below which a run stays on one thread by default: starting the
/// helper thread and waiting for its first block cost some 100 µs.
const EVENTS_WORTH_A_HELPER: u64 = 200_000;

/// Threads for a run: `--threads`, or by default two when the machine
/// (or the CPUs this process may use) has two or more and the run may take
/// enough events to pay for the helper thread.
fn run_threads(requested: Option<u64>, settings: &RunSettings) -> usize {
    if let Some(threads) = requested {
        return usize::try_from(threads).unwrap_or(usize::MAX);
    }
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    if cores < 2 || settings.max_events < EVENTS_WORTH_A_HELPER {
        return 1;
    }
    // A taxi takes at most one event a tick and two a trip, plus its
    // first and last; stop counting as soon as the bound is reached.
    let scenario = settings.scenario;
    let mut bound = 0u64;
    for plan in scenario.plans() {
        let ticks = scenario
            .end_time
            .saturating_sub(plan.start_time)
            .saturating_add(1);
        let trips = plan.trips.saturating_mul(2).saturating_add(2);
        bound = bound.saturating_add(ticks.min(trips));
        if bound >= EVENTS_WORTH_A_HELPER {
            return 2;
        }
    }
    1
}

/// Whether the run writes files besides stdout.
pub(crate) fn sinks_with_files(exports: &[PathBuf]) -> bool {
    exports.iter().any(|path| path.as_os_str() != "-")
}

/// Whether `error` is stdout's reader going away while files are being
/// written: then only stdout stops, and the files are completed.
pub(crate) fn stdout_closed_beside_files<F: ?Sized>(
    sink: &Sink<F>,
    error: &SinkError,
    files: bool,
) -> bool {
    files && sink.is_stdout() && error.is_broken_pipe()
}

/// Whether the run's events go to stdout (see `open_sinks`).
pub(crate) fn prints_events(args: &RunArgs) -> bool {
    args.format != Some(FormatKind::None) || args.export.iter().any(|path| path.as_os_str() == "-")
}

/// A closed stdout (`taxi-sim run | head`) ends the run quietly, or as
/// interrupted if Ctrl-C closed it (`taxi-sim run | cat`).
pub(crate) fn quiet_on_broken_pipe(error: SinkError) -> anyhow::Result<Exit> {
    if !error.is_broken_pipe() {
        Err(error.into())
    } else if interrupt::stop_requested() {
        Ok(Exit::Interrupted)
    } else {
        Ok(Exit::Success)
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
    sinks: &mut [BookSink],
    stop_flag: Option<&AtomicBool>,
) -> Result<(Outcome, Summary), RunError<SinkError>> {
    simulate_on_threads(settings, 1, sinks, stop_flag)
}

/// [`simulate`] on up to `threads` threads: with two or more, the book
/// model's durations (CPython generator, exponential durations, one set
/// for the fleet) are drawn ahead on a helper thread. Same events, same
/// summary, whatever `threads`.
pub fn simulate_on_threads(
    settings: &RunSettings,
    threads: usize,
    sinks: &mut [BookSink],
    stop_flag: Option<&AtomicBool>,
) -> Result<(Outcome, Summary), RunError<SinkError>> {
    let scenario = settings.scenario;
    if settings.delay.is_none() && sinks.is_empty() && scenario.rng == RngKind::Cpython {
        let mut progress = Progress::new(settings.progress, scenario.end_time);
        let never = AtomicBool::new(false);
        if let Some((outcome, records)) = quiet::run(
            scenario.plans(),
            &scenario.duration_sets(),
            settings.seed,
            scenario.end_time,
            settings.max_events,
            threads,
            |now, events| progress.update(now, events),
            stop_flag.unwrap_or(&never),
        )? {
            let summary =
                Summary::from_records(records.into_iter(), &outcome, scenario.minutes_per_tick);
            return Ok((outcome, summary));
        }
    }
    if threads >= 2
        && scenario.rng == RngKind::Cpython
        && let Some(sim) = taxi::simulator_ahead(
            scenario.plans(),
            &scenario.duration_sets(),
            settings.seed,
            scenario.end_time,
        )?
    {
        return run_simulator(settings, sim, sinks, stop_flag);
    }
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
    sinks: &mut [BookSink],
    stop_flag: Option<&AtomicBool>,
) -> Result<(Outcome, Summary), RunError<SinkError>> {
    let scenario = settings.scenario;
    let sim = taxi::simulator(
        scenario.plans(),
        &scenario.duration_sets(),
        rng,
        cpython_tables,
        scenario.end_time,
    )?;
    run_simulator(settings, sim, sinks, stop_flag)
}

/// Runs a built fleet into `sinks`, whatever its timing.
fn run_simulator<T: Timing<TaxiAction>>(
    settings: &RunSettings,
    sim: Simulator<Taxi, T>,
    sinks: &mut [BookSink],
    stop_flag: Option<&AtomicBool>,
) -> Result<(Outcome, Summary), RunError<SinkError>> {
    let scenario = settings.scenario;
    let mut sim = sim.with_max_events(settings.max_events);
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
    sinks: &'a mut [BookSink],
    progress: Progress,
    seconds_per_tick: f64,
}

impl<'a, const PACED: bool> RunObserver<'a, PACED> {
    fn new(sinks: &'a mut [BookSink], progress: Progress, seconds_per_tick: f64) -> Self {
        Self {
            sinks,
            progress,
            seconds_per_tick,
        }
    }

    /// Sink `index` failed to take `event`. If it is stdout whose reader went
    /// away while files are written, it is closed and moved out of the
    /// active sinks, and the sinks after it still get the event.
    #[cold]
    #[inline(never)]
    fn sink_failed(
        &mut self,
        index: usize,
        error: SinkError,
        event: &TaxiEvent,
    ) -> Result<(), SinkError> {
        let files = self.sinks.iter().any(|sink| !sink.is_stdout());
        if !stdout_closed_beside_files(&self.sinks[index], &error, files) {
            return Err(error);
        }
        let sinks = std::mem::take(&mut self.sinks);
        sinks[index].close();
        sinks[index..].rotate_left(1);
        let active = sinks.len() - 1;
        self.sinks = &mut sinks[..active];
        for sink in &mut self.sinks[index..] {
            sink.event(event)?;
        }
        Ok(())
    }
}

impl<const PACED: bool> Observer<TaxiAction> for RunObserver<'_, PACED> {
    type Error = SinkError;
    const LOOKS_AHEAD: bool = PACED;

    fn before_event(&mut self, now: Tick, next: Tick) -> Flow {
        let cut_short = interrupt::sleep(interrupt::pause_for(next - now, self.seconds_per_tick));
        if cut_short {
            Flow::Stop
        } else {
            Flow::Continue
        }
    }

    #[inline(always)]
    fn on_event(&mut self, event: TaxiEvent) -> Result<(), SinkError> {
        for (index, sink) in self.sinks.iter_mut().enumerate() {
            if let Err(error) = sink.event(&event) {
                return self.sink_failed(index, error, &event);
            }
        }
        Ok(())
    }

    fn on_progress(&mut self, now: Tick, events: u64) {
        self.progress.update(now, events);
    }
}

/// `taxi-sim scenario ...`.
pub fn scenario(command: ScenarioCommand) -> anyhow::Result<Exit> {
    let mut stdout = stdio::StdoutLines::open().context("could not write stdout")?;
    let exit = match command {
        ScenarioCommand::Check { files } => {
            let mut failed = 0;
            for file in &files {
                match crate::models::load(file, &Overrides::default()) {
                    Ok(scenario) => {
                        let (name, model, taxis, end_time) = match &scenario {
                            AnyScenario::Book(book) => {
                                (&book.name, "", book.fleet.taxis, book.end_time.to_string())
                            }
                            AnyScenario::Dispatch(dispatch) => (
                                &dispatch.name,
                                "dispatch model, ",
                                dispatch.fleet.taxis,
                                dispatch.end_time.to_string(),
                            ),
                        };
                        stdout
                            .line(format_args!(
                                "ok: {}: '{}', {model}{}, end time {end_time}",
                                stdio::printable(file),
                                stdio::printable(name),
                                stdio::counted(taxis, "taxi"),
                            ))
                            .context("could not write stdout")?
                    }
                    Err(error) => {
                        failed += 1;
                        crate::say!(
                            "taxi-sim: error: {}",
                            stdio::tidy_message(&error.to_string())
                        );
                    }
                }
            }
            if failed > 0 {
                crate::say!(
                    "taxi-sim: {failed} of {} {}",
                    stdio::counted(files.len() as u64, "scenario"),
                    if failed == 1 {
                        "is invalid"
                    } else {
                        "are invalid"
                    }
                );
                Exit::Failure
            } else {
                Exit::Success
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
            stdout
                .line(format_args!("{}", text.trim_end()))
                .context("could not write stdout")?;
            Exit::Success
        }
        ScenarioCommand::List => {
            let width = BUILTIN
                .iter()
                .map(|builtin| builtin.name.len())
                .max()
                .unwrap_or(0);
            for builtin in BUILTIN {
                let scenario = crate::models::load(builtin.name, &Overrides::default())?;
                stdout
                    .line(format_args!(
                        "{:width$}  {}",
                        builtin.name,
                        scenario.description()
                    ))
                    .context("could not write stdout")?;
            }
            Exit::Success
        }
    };
    stdout.finish().context("could not write stdout")?;
    Ok(exit)
}

#[cfg(test)]
mod memory_tests {
    use super::refuse_beyond_memory;

    #[test]
    fn a_run_may_need_all_the_available_memory_but_not_a_byte_more() {
        assert!(refuse_beyond_memory(5, 1 << 30, Some(1 << 30)).is_ok());
        assert!(refuse_beyond_memory(5, 1 << 30, None).is_ok());
        let error = refuse_beyond_memory(5, (1 << 30) + 1, Some(1 << 30)).unwrap_err();
        assert_eq!(
            error.to_string(),
            "5 taxis need about 1.1 GB of memory, but only 1.1 GB is available"
        );
    }
}
