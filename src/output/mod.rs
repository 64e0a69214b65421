//! Output formats behind one trait, one module each, and the sinks that carry
//! their bytes to stdout or to a file that appears only when complete.
//!
//! A format is a pure function of the run's data into bytes, so each can be
//! snapshot-tested; events are appended to a byte buffer with no allocation
//! and no formatting machinery, since they are the hot path.

pub mod csv;
pub mod json;
pub mod jsonl;
pub mod text;

use std::fs::File;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::interrupt;
use crate::model::{Model, RecordedInput};

/// What is known before the first event: everything needed to re-simulate.
#[derive(Serialize)]
#[serde(bound = "")]
pub struct RunHeader<M: Model> {
    /// Log format version: the model's.
    pub schema_version: u32,
    /// The taxi-sim that wrote the log.
    pub taxi_sim_version: &'static str,
    /// The seed used.
    pub seed: u64,
    /// The seed in decimal digits: JSON tools that read numbers as doubles
    /// (jq, JavaScript) round seeds above 2^53, but keep a string. Written
    /// for the models whose logs have it ([`Model::SEED_TEXT`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seed_text: Option<String>,
    /// The generator used.
    pub rng: crate::rng::RngKind,
    /// The fully resolved scenario (with the seed).
    pub scenario: M::Scenario,
    /// The files the scenario reads (a demand file), so that a replay finds
    /// them from any folder and notices a change; absent when there are none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub inputs: Vec<RecordedInput>,
}

impl<M: Model> RunHeader<M> {
    /// The header of a run of `scenario` with `seed`.
    pub fn new(scenario: &M::Scenario, seed: u64) -> Self {
        Self {
            schema_version: M::LOG_SCHEMA_VERSION,
            taxi_sim_version: env!("CARGO_PKG_VERSION"),
            seed,
            seed_text: M::SEED_TEXT.then(|| seed.to_string()),
            rng: M::rng(scenario),
            scenario: M::with_seed(scenario, seed),
            // A file that cannot be read is not recorded: the run that
            // reads it fails and says so.
            inputs: M::input_files(scenario)
                .iter()
                .filter_map(|input| RecordedInput::of(input).ok())
                .collect(),
        }
    }
}

/// What is known after the last event.
pub struct RunEnd<'a, M: Model> {
    /// How the run ended.
    pub outcome: &'a M::Outcome,
    /// Its statistics.
    pub summary: &'a M::Summary,
}

/// An output format of model `M`'s runs.
pub trait EventFormat<M: Model> {
    /// Writes what comes before the events.
    fn header(&mut self, out: &mut dyn Write, header: &RunHeader<M>) -> io::Result<()>;
    /// Appends one event.
    fn event(&mut self, out: &mut Vec<u8>, event: &M::Event);
    /// Writes what comes after the events.
    fn footer(&mut self, out: &mut dyn Write, end: &RunEnd<M>) -> io::Result<()>;
}

/// The formats, as named on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FormatKind {
    /// The book's lines.
    Text,
    /// One JSON document.
    Json,
    /// JSON Lines: header, one line per event, end.
    Jsonl,
    /// CSV: time,taxi,action (the dispatch model: time,taxi,passenger,action).
    Csv,
    /// No events.
    None,
}

impl FormatKind {
    /// The format of an export file, from its extension.
    pub fn of_path(path: &Path) -> Option<Self> {
        let extension = path.extension()?.to_str()?.to_ascii_lowercase();
        match extension.as_str() {
            "json" => Some(FormatKind::Json),
            "jsonl" | "ndjson" => Some(FormatKind::Jsonl),
            "csv" => Some(FormatKind::Csv),
            "txt" | "text" => Some(FormatKind::Text),
            _ => None,
        }
    }

    /// A fresh formatter of model `M`'s runs, or `None` for [`FormatKind::None`].
    pub fn formatter<M: Model>(self) -> Option<Box<dyn EventFormat<M>>> {
        match self {
            FormatKind::Text => Some(Box::new(text::Text)),
            FormatKind::Json => Some(Box::new(json::Json::default())),
            FormatKind::Jsonl => Some(Box::new(jsonl::JsonLines)),
            FormatKind::Csv => Some(Box::new(csv::Csv)),
            FormatKind::None => None,
        }
    }
}

/// Buffered bytes are written out past this size.
const FLUSH_AT: usize = 128 * 1024;

enum Destination {
    Stdout(io::StdoutLock<'static>),
    /// Any writer (benchmarks write into `io::sink()`).
    Writer(Box<dyn Write>),
    /// A temporary file beside `path`, renamed onto it when complete.
    File {
        temp: PartialFile,
        /// The user's name for it, in messages.
        path: PathBuf,
        /// What is replaced: `path` with its symbolic links followed.
        real: PathBuf,
    },
    /// A device or a pipe named by `path` (`/dev/null`, a FIFO): written
    /// through, never replaced.
    Through {
        file: File,
        path: PathBuf,
    },
}

impl Destination {
    fn writer(&mut self) -> &mut dyn Write {
        match self {
            Destination::Stdout(stdout) => stdout,
            Destination::Writer(writer) => writer,
            Destination::File { temp, .. } => temp.file(),
            Destination::Through { file, .. } => file,
        }
    }
}

/// A temporary file known to the interrupt handler until it is renamed
/// into place or deleted.
struct PartialFile(Option<tempfile::NamedTempFile>);

impl PartialFile {
    /// Creates the temporary file with `builder` in `directory`.
    fn create(builder: &tempfile::Builder, directory: &Path) -> io::Result<Self> {
        interrupt::create_partial_file(
            || builder.tempfile_in(directory),
            tempfile::NamedTempFile::path,
        )
        .map(|temp| Self(Some(temp)))
    }

    fn temp(&self) -> &tempfile::NamedTempFile {
        self.0.as_ref().expect("present until persisted")
    }

    fn file(&mut self) -> &mut File {
        self.0
            .as_mut()
            .expect("present until persisted")
            .as_file_mut()
    }

    /// Syncs the file and renames it onto `path`. It stays known to the
    /// interrupt handler until the rename is done: a second Ctrl-C during
    /// the (slow) sync still removes it.
    fn persist(mut self, path: &Path) -> io::Result<()> {
        self.temp().as_file().sync_all()?;
        let temp = self.0.take().expect("present until persisted");
        let temp_path = temp.path().to_path_buf();
        interrupt::settle_partial_file(&temp_path, || {
            temp.persist(path).map(drop).map_err(|error| {
                // Not renamed: remove it (dropping it does) before forgetting it.
                drop(error.file);
                error.error
            })
        })
    }
}

impl Drop for PartialFile {
    fn drop(&mut self) {
        if let Some(temp) = self.0.take() {
            let path = temp.path().to_path_buf();
            interrupt::settle_partial_file(&path, || drop(temp));
        }
    }
}

impl PartialFile {
    /// A new temporary file beside `path`, to be renamed onto it; fails at
    /// once if that directory cannot be written or `path` could not be
    /// replaced, so that a long run does not fail only at its end.
    fn beside(path: &Path, shown: &Path) -> Result<Self, SinkError> {
        let fail = |cause| SinkError {
            target: format!("'{}'", shown.display()),
            cause,
        };
        let refuse = |kind, why: &str| fail(io::Error::new(kind, why.to_string()));
        if path.is_dir() {
            return Err(refuse(io::ErrorKind::IsADirectory, "it is a directory"));
        }
        // `x.json/` and `x.json/.` name a directory to be, `..` no file at all.
        let name = match path.file_name() {
            Some(name)
                if path
                    .as_os_str()
                    .as_encoded_bytes()
                    .ends_with(name.as_encoded_bytes()) =>
            {
                name
            }
            _ => {
                return Err(refuse(
                    io::ErrorKind::InvalidInput,
                    "it does not name a file",
                ));
            }
        };
        let directory = match path.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent,
            _ => Path::new("."),
        };
        let prefix = temp_prefix(name);
        let mut builder = tempfile::Builder::new();
        builder.prefix(&prefix).suffix(".partial");
        // The mode `File::create` would give (the umask applies), not the
        // private 0600 of a temporary file: the renamed file is the user's.
        #[cfg(unix)]
        builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
        let mut temp = PartialFile::create(&builder, directory)
            .map_err(|error| fail(without_temporary_path(error)))?;
        check_replaceable(directory, path, temp.file()).map_err(fail)?;
        Ok(temp)
    }
}

/// A file written whole or not at all, by the export files' rules: a
/// temporary file beside it, created before the work (so a bad path fails
/// at once), synced and renamed onto it once complete, removed if the work
/// fails or a second Ctrl-C exits at once; an existing file stays as it was
/// until then.
pub struct AtomicFile {
    target: AtomicTarget,
    path: PathBuf,
}

enum AtomicTarget {
    Replace { temp: PartialFile, real: PathBuf },
    Through(File),
}

/// Where a file output goes.
enum FileTarget {
    /// A regular file, new or existing, replaced whole once complete: the
    /// path with its symbolic links followed (a link stays a link).
    Replace(PathBuf),
    /// Something else that exists there (a device such as `/dev/null`, a
    /// pipe): opened and written through, never replaced by a file.
    Through(File),
}

impl FileTarget {
    fn of(path: &Path) -> Result<Self, SinkError> {
        let fail = |cause| SinkError {
            target: format!("'{}'", path.display()),
            cause,
        };
        match std::fs::metadata(path) {
            Ok(metadata) if metadata.is_dir() => Err(fail(io::Error::new(
                io::ErrorKind::IsADirectory,
                "it is a directory",
            ))),
            Ok(metadata) if !metadata.is_file() => std::fs::OpenOptions::new()
                .write(true)
                .open(path)
                .map(FileTarget::Through)
                .map_err(fail),
            Ok(_) => std::fs::canonicalize(path)
                .map(FileTarget::Replace)
                .map_err(fail),
            // A dangling link: the file it names is created.
            Err(_) if path.is_symlink() => {
                let link = std::fs::read_link(path).map_err(fail)?;
                let parent = path.parent().unwrap_or(Path::new(""));
                Ok(FileTarget::Replace(parent.join(link)))
            }
            Err(_) => Ok(FileTarget::Replace(path.to_path_buf())),
        }
    }
}

impl AtomicFile {
    /// Creates the temporary file beside `path` (or opens the device it names).
    pub fn create(path: &Path) -> Result<Self, SinkError> {
        let target = match FileTarget::of(path)? {
            FileTarget::Replace(real) => AtomicTarget::Replace {
                temp: PartialFile::beside(&real, path)?,
                real,
            },
            FileTarget::Through(file) => AtomicTarget::Through(file),
        };
        Ok(Self {
            target,
            path: path.to_path_buf(),
        })
    }

    /// Writes `bytes` and renames the file into place.
    pub fn write(self, bytes: &[u8]) -> Result<(), SinkError> {
        let fail = |cause| SinkError {
            target: format!("'{}'", self.path.display()),
            cause,
        };
        match self.target {
            AtomicTarget::Replace { mut temp, real } => {
                temp.file().write_all(bytes).map_err(fail)?;
                temp.persist(&real).map_err(fail)
            }
            AtomicTarget::Through(mut file) => file
                .write_all(bytes)
                .and_then(|()| file.flush())
                .map_err(fail),
        }
    }
}

/// Writes `bytes` to `path` whole or not at all (see [`AtomicFile`]).
pub fn write_file_atomically(path: &Path, bytes: &[u8]) -> Result<(), SinkError> {
    AtomicFile::create(path)?.write(bytes)
}

/// The longest file name most file systems allow, in bytes.
const NAME_MAX: usize = 255;
/// What a temporary name adds to the file's: a dot before, a dot and
/// six random characters after, and `.partial`.
const TEMP_NAME_EXTRA: usize = 1 + 1 + 6 + ".partial".len();

/// The start of the temporary name for a file called `name`: `.name.`,
/// with `name` shortened when the whole would be longer than a file
/// name may be.
fn temp_prefix(name: &std::ffi::OsStr) -> std::ffi::OsString {
    let mut prefix = std::ffi::OsString::from(".");
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let bytes = name.as_bytes();
        let kept = &bytes[..bytes.len().min(NAME_MAX - TEMP_NAME_EXTRA)];
        prefix.push(std::ffi::OsStr::from_bytes(kept));
    }
    #[cfg(not(unix))]
    {
        let name = name.to_string_lossy();
        let mut end = name.len().min(NAME_MAX - TEMP_NAME_EXTRA);
        while !name.is_char_boundary(end) {
            end -= 1;
        }
        prefix.push(&name[..end]);
    }
    prefix.push(".");
    prefix
}

/// Whether `user` may replace a file owned by `file_owner` by rename in a
/// directory of mode `directory_mode` owned by `directory_owner`: in a
/// sticky directory (`/tmp`) only the owner of the file or of the
/// directory (or root) may.
fn may_replace_in(directory_mode: u32, directory_owner: u32, file_owner: u32, user: u32) -> bool {
    const STICKY: u32 = 0o1000;
    directory_mode & STICKY == 0 || user == 0 || file_owner == user || directory_owner == user
}

/// Refuses now, not after the run, a `target` that the rename at the end
/// could not replace; `own` is the temporary file, whose owner is us.
fn check_replaceable(directory: &Path, target: &Path, own: &File) -> io::Result<()> {
    let Ok(metadata) = std::fs::metadata(target) else {
        return Ok(()); // a new file
    };
    if metadata.permissions().readonly() {
        return Err(io::Error::new(
            io::ErrorKind::PermissionDenied,
            "the file is read-only",
        ));
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::{MetadataExt, PermissionsExt};
        if let (Ok(directory), Ok(own)) = (std::fs::metadata(directory), own.metadata())
            && !may_replace_in(
                directory.permissions().mode(),
                directory.uid(),
                metadata.uid(),
                own.uid(),
            )
        {
            return Err(io::Error::new(
                io::ErrorKind::PermissionDenied,
                "it is another user's file in a sticky directory, which only its owner may replace",
            ));
        }
    }
    #[cfg(not(unix))]
    let _ = (directory, own);
    Ok(())
}

/// tempfile appends ` at path "DIR/.NAME.XXXXXX.partial"` to the errors of
/// creating the temporary file: the user named NAME, never that file, so
/// the message keeps only the cause (the error names the user's path).
fn without_temporary_path(error: io::Error) -> io::Error {
    let text = error.to_string();
    match text.split_once(" at path ") {
        Some((cause, _)) if error.get_ref().is_some() => io::Error::new(error.kind(), cause),
        _ => error,
    }
}

/// A format writing to stdout or to a file. `F` is the format's trait
/// object, `dyn EventFormat<M>` for a model `M`.
pub struct Sink<F: ?Sized> {
    format: Box<F>,
    buffer: Vec<u8>,
    destination: Destination,
    /// Flush after every event (a delayed run shows lines as they happen).
    eager: bool,
    /// Its reader went away: it takes no more output (see [`Sink::close`]).
    closed: bool,
}

/// An output of model `M`'s runs.
pub type ModelSink<M> = Sink<dyn EventFormat<M>>;

/// An error of a sink, naming where it was writing.
#[derive(Debug, thiserror::Error)]
#[error("could not write {target}: {cause}")]
pub struct SinkError {
    /// `stdout` or the file's path.
    pub target: String,
    /// The cause.
    pub cause: io::Error,
}

impl SinkError {
    /// Whether stdout's reader went away (`taxi-sim run | head`).
    pub fn is_broken_pipe(&self) -> bool {
        self.cause.kind() == io::ErrorKind::BrokenPipe
    }
}

impl<F: ?Sized> Sink<F> {
    /// A sink on stdout.
    pub fn stdout(format: Box<F>) -> Self {
        Self {
            format,
            buffer: Vec::with_capacity(FLUSH_AT * 2),
            destination: Destination::Stdout(io::stdout().lock()),
            eager: false,
            closed: false,
        }
    }

    /// A sink on any writer.
    pub fn writer(format: Box<F>, writer: Box<dyn Write>) -> Self {
        Self {
            format,
            buffer: Vec::with_capacity(FLUSH_AT * 2),
            destination: Destination::Writer(writer),
            eager: false,
            closed: false,
        }
    }

    /// A sink on a new temporary file beside `path`; fails at once if that
    /// directory cannot be written or `path` could not be replaced.
    pub fn file(format: Box<F>, path: &Path) -> Result<Self, SinkError> {
        let destination = match FileTarget::of(path)? {
            FileTarget::Replace(real) => Destination::File {
                temp: PartialFile::beside(&real, path)?,
                path: path.to_path_buf(),
                real,
            },
            FileTarget::Through(file) => Destination::Through {
                file,
                path: path.to_path_buf(),
            },
        };
        Ok(Self {
            format,
            buffer: Vec::with_capacity(FLUSH_AT * 2),
            destination,
            eager: false,
            closed: false,
        })
    }

    /// Whether this sink writes to stdout.
    pub fn is_stdout(&self) -> bool {
        matches!(self.destination, Destination::Stdout(_))
    }

    /// Stops writing: stdout's reader went away while other outputs go on.
    /// A closed sink's [`Sink::finish`] writes nothing.
    pub fn close(&mut self) {
        self.buffer = Vec::new();
        self.closed = true;
    }

    /// Whether [`Sink::close`] was called.
    pub fn is_closed(&self) -> bool {
        self.closed
    }

    /// Writes out the buffered events (for a file, into its temporary file).
    pub fn flush(&mut self) -> Result<(), SinkError> {
        self.flush_buffer()?;
        self.destination
            .writer()
            .flush()
            .map_err(|source| self.error(source))
    }

    /// Flushes after every event.
    pub fn set_eager(&mut self, eager: bool) {
        self.eager = eager;
    }

    fn target(&self) -> String {
        match &self.destination {
            Destination::Stdout(_) => "stdout".to_string(),
            Destination::Writer(_) => "the output".to_string(),
            Destination::File { path, .. } | Destination::Through { path, .. } => {
                format!("'{}'", path.display())
            }
        }
    }

    fn error(&self, cause: io::Error) -> SinkError {
        SinkError {
            target: self.target(),
            cause,
        }
    }

    fn flush_buffer(&mut self) -> Result<(), SinkError> {
        let result = self.destination.writer().write_all(&self.buffer);
        self.buffer.clear();
        result.map_err(|source| self.error(source))
    }

    /// Writes what comes before or after the events, through a buffer.
    fn write_framing(
        &mut self,
        write: impl FnOnce(&mut F, &mut dyn Write) -> io::Result<()>,
    ) -> Result<(), SinkError> {
        self.flush_buffer()?;
        let Self {
            format,
            destination,
            ..
        } = self;
        let mut writer = io::BufWriter::new(destination.writer());
        let result = write(format.as_mut(), &mut writer).and_then(|()| writer.flush());
        drop(writer);
        result.map_err(|source| self.error(source))
    }

    /// Flushes, and for a file renames it into place (after the footer).
    fn complete(self) -> Result<(), SinkError> {
        if self.closed {
            return Ok(());
        }
        let target = self.target();
        match self.destination {
            Destination::File { temp, real, .. } => temp.persist(&real),
            Destination::Through { mut file, .. } => file.flush(),
            mut other => other.writer().flush(),
        }
        .map_err(|cause| SinkError { target, cause })
    }
}

impl<M: Model> Sink<dyn EventFormat<M>> {
    /// Writes the header.
    pub fn header(&mut self, header: &RunHeader<M>) -> Result<(), SinkError> {
        self.write_framing(|format, writer| format.header(writer, header))
    }

    /// Writes one event.
    #[inline]
    pub fn event(&mut self, event: &M::Event) -> Result<(), SinkError> {
        self.format.event(&mut self.buffer, event);
        if self.buffer.len() >= FLUSH_AT || self.eager {
            self.flush_buffer()?;
            if self.eager {
                self.destination
                    .writer()
                    .flush()
                    .map_err(|source| self.error(source))?;
            }
        }
        Ok(())
    }

    /// Writes the footer, and for a file renames it into place.
    pub fn finish(mut self, end: &RunEnd<M>) -> Result<(), SinkError> {
        if self.closed {
            return Ok(());
        }
        self.write_framing(|format, writer| format.footer(writer, end))?;
        self.complete()
    }
}

/// Appends the decimal digits of `value`.
#[inline(always)]
pub(crate) fn push_u64(out: &mut Vec<u8>, value: u64) {
    let mut digits = itoa::Buffer::new();
    out.extend_from_slice(digits.format(value).as_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_owners_replace_files_in_a_sticky_directory() {
        let tmp = 0o1777;
        assert!(!may_replace_in(tmp, 0, 1001, 1000));
        assert!(may_replace_in(tmp, 0, 1000, 1000));
        assert!(may_replace_in(tmp, 1000, 1001, 1000));
        assert!(may_replace_in(tmp, 0, 1001, 0));
        assert!(may_replace_in(0o777, 0, 1001, 1000));
    }

    #[test]
    fn temporary_names_fit_in_a_file_name() {
        let long = "a".repeat(250);
        let prefix = temp_prefix(std::ffi::OsStr::new(&long));
        assert_eq!(prefix.len() + 6 + ".partial".len(), NAME_MAX);
        assert_eq!(temp_prefix(std::ffi::OsStr::new("e.json")), ".e.json.");
    }
}

#[cfg(test)]
pub(crate) mod test_support {
    //! A small fixed run that every format's snapshot test renders.
    use super::*;
    use crate::engine::{Event, Outcome, StopReason};
    use crate::models::book::Book;
    use crate::models::book::summary::Tally;
    use crate::models::book::taxi::TaxiAction::*;
    use crate::scenario::Scenario;

    pub fn render(mut format: Box<dyn EventFormat<Book>>) -> String {
        let scenario = Scenario::book();
        let header = RunHeader::<Book> {
            taxi_sim_version: "0.0.0-test",
            ..RunHeader::new(&scenario, 3)
        };
        let events = [
            Event::new(0, 0, LeaveGarage),
            Event::new(2, 0, PickUpPassenger),
            Event::new(5, 1, LeaveGarage),
            Event::new(18, 0, DropOffPassenger),
            Event::new(19, 0, GoingHome),
        ];
        let mut tally = Tally::new(2, 1.0);
        let mut out = Vec::new();
        format.header(&mut out, &header).unwrap();
        for event in &events {
            tally.record(event);
            format.event(&mut out, event);
        }
        let outcome = Outcome {
            reason: StopReason::EndTime,
            sim_time: 19,
            pending: 1,
            events: events.len() as u64,
        };
        let summary = tally.summary(&outcome);
        format
            .footer(
                &mut out,
                &RunEnd {
                    outcome: &outcome,
                    summary: &summary,
                },
            )
            .unwrap();
        String::from_utf8(out).unwrap()
    }
}
