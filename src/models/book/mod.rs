//! The book's model: the taxi of *Fluent Python*, byte-exact with the
//! book's program, and the summary it keeps.

pub mod summary;
pub mod taxi;
