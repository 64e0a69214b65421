use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = taxi_sim::cli::Cli::parse();
    match taxi_sim::app::execute(cli) {
        Ok(exit) => exit.into(),
        Err(error) => taxi_sim::app::report(&error).into(),
    }
}
