//! Exit codes: 0 ok, 1 runtime error or failed check, 2 usage error,
//! 130 interrupted (128 + SIGINT, as shells report it).

/// How taxi-sim exits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Everything went well.
    Success,
    /// A runtime error, or a check that failed (replay, scenario check).
    Failure,
    /// The command line was wrong.
    Usage,
    /// Ctrl-C or SIGTERM stopped the run.
    Interrupted,
}

impl Exit {
    /// The process exit code.
    pub const fn code(self) -> u8 {
        match self {
            Exit::Success => 0,
            Exit::Failure => 1,
            Exit::Usage => 2,
            Exit::Interrupted => 130,
        }
    }
}

/// Writes `line` and a newline on stderr, ignoring errors (see [`crate::say!`]).
pub fn stderr_line(line: std::fmt::Arguments) {
    use std::io::Write;
    let mut stderr = std::io::stderr().lock();
    let _ = stderr
        .write_fmt(line)
        .and_then(|()| stderr.write_all(b"\n"));
}

impl From<Exit> for std::process::ExitCode {
    fn from(exit: Exit) -> Self {
        std::process::ExitCode::from(exit.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_codes_follow_the_unix_conventions() {
        assert_eq!(Exit::Success.code(), 0);
        assert_eq!(Exit::Failure.code(), 1);
        assert_eq!(Exit::Usage.code(), 2);
        assert_eq!(Exit::Interrupted.code(), 130);
    }
}
