//! The book's model: the taxi of *Fluent Python*, byte-exact with the
//! book's program, and the summary it keeps.

pub mod output;
pub mod quiet;
pub mod summary;
pub mod taxi;

/// The book's model, as the upper layers see it ([`crate::model::Model`]).
#[derive(Debug, Clone, Copy)]
pub struct Book;

/// A taxi event.
pub type TaxiEvent = crate::engine::Event<taxi::TaxiAction>;

/// An output of the book's runs.
pub type BookSink = crate::output::ModelSink<Book>;
