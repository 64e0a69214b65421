//! The dispatch model's side of the commands: `validate`, and `run`,
//! `scenario` and `replay` of dispatch scenarios and logs.

use std::io::Write;

use crate::cli::ValidateArgs;
use crate::exit::Exit;
use crate::interrupt;

use super::validate::{self, Effort};

fn write_stdout(text: &str) -> anyhow::Result<()> {
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Err(error) if error.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(anyhow::anyhow!("could not write stdout: {error}"))
        }
        _ => Ok(()),
    }
}

/// `taxi-sim validate`.
pub fn validate(args: &ValidateArgs) -> anyhow::Result<Exit> {
    let effort = if args.quick {
        Effort::QUICK
    } else {
        Effort::FULL
    };
    let stop_flag = interrupt::stop_flag();
    let Some(results) = validate::validate(effort, || {
        stop_flag.load(std::sync::atomic::Ordering::Relaxed)
    })?
    else {
        crate::say!("taxi-sim: validate interrupted");
        return Ok(Exit::Interrupted);
    };
    if args.json {
        let document = serde_json::json!({ "cases": results });
        write_stdout(&format!("{}\n", serde_json::to_string_pretty(&document)?))?;
    } else {
        write_stdout(&validate::table(&results, effort))?;
    }
    Ok(if results.iter().all(|result| result.pass) {
        Exit::Success
    } else {
        Exit::Failure
    })
}
