//! Completions, man page, delayed runs.
