use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let exit = match taxi_sim::cli::Cli::try_parse() {
        Ok(cli) => match taxi_sim::app::execute(cli) {
            Ok(exit) => exit,
            Err(error) => taxi_sim::app::report(&error),
        },
        Err(error) => taxi_sim::app::report_parse_error(&error),
    };
    exit.into()
}
