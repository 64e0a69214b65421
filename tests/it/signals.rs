//! Ctrl-C and SIGTERM on a real child process.
