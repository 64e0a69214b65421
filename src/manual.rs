//! What gets installed beside the binary: shell completion scripts and man
//! pages, both generated from the clap command tree, so that a command or
//! an option added to `cli.rs` appears in them with no further work.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::Command;
use clap_complete::Shell;
use clap_mangen::Man;

/// The completion script of `command` for `shell`.
pub fn completion_script(shell: Shell, command: &mut Command) -> Vec<u8> {
    let name = command.get_name().to_string();
    let mut script = Vec::new();
    clap_complete::generate(shell, command, &name, &mut script);
    match shell {
        Shell::Bash => fix_bash_states(script, &name),
        Shell::Fish => {
            script.extend_from_slice(fish_positional_values(command, &name).as_bytes());
            script
        }
        _ => script,
    }
}

/// clap_complete's fish script completes only options, not the values of
/// positional arguments (`taxi-sim completions <TAB>` offered file names):
/// one `complete` line per such argument, in the generator's own terms.
fn fish_positional_values(command: &Command, name: &str) -> String {
    fn walk(command: &Command, path: &[&str], bin: &str, lines: &mut String) {
        let function = format!("__fish_{}_using_subcommand", bin.replace('-', "_"));
        if let Some((first, rest)) = path.split_first() {
            let mut condition = format!("{function} {first}");
            for name in rest {
                let _ = write!(condition, "; and __fish_seen_subcommand_from {name}");
            }
            for argument in command.get_positionals().filter(|arg| !arg.is_hide_set()) {
                let values: Vec<String> = argument
                    .get_possible_values()
                    .iter()
                    .filter(|value| !value.is_hide_set())
                    .map(|value| value.get_name().to_string())
                    .collect();
                if !values.is_empty() {
                    let _ = writeln!(
                        lines,
                        "complete -c {bin} -n \"{condition}\" -f -a \"{}\"",
                        values.join(" ")
                    );
                }
            }
        }
        for sub in command.get_subcommands().filter(|sub| !sub.is_hide_set()) {
            let mut path = path.to_vec();
            path.push(sub.get_name());
            walk(sub, &path, bin, lines);
        }
    }
    let mut lines = String::new();
    walk(command, &[], name, &mut lines);
    lines
}

/// clap_complete 4.6 spells a hyphenated binary name two ways in its bash
/// script (clap-rs/clap#6421): the loop over the words assigns states such
/// as `taxi__sim__subcmd__run`, but the `case` that completes them matches
/// `taxi__subcmd__sim__subcmd__run`, so nothing after a subcommand ever
/// completes. Spelling the labels as the loop does repairs every state; on
/// a generator that is already fixed, this changes nothing.
fn fix_bash_states(script: Vec<u8>, name: &str) -> Vec<u8> {
    let assigned = name.replace('-', "__");
    let matched = name.replace('-', "__subcmd__");
    if assigned == matched {
        return script;
    }
    match String::from_utf8(script) {
        Ok(text) => text.replace(&matched, &assigned).into_bytes(),
        Err(error) => error.into_bytes(),
    }
}

/// One man page: its file name (`taxi-sim-run.1`) and its roff text.
#[derive(Debug, Clone)]
pub struct ManPage {
    /// The file name, section included.
    pub file_name: String,
    /// The page, in roff.
    pub roff: Vec<u8>,
}

/// The section of every page.
const SECTION: &str = "1";

/// One page per command of `command`'s tree, the top one first, then each
/// subcommand (hidden ones and clap's `help` left out) before its own.
pub fn man_pages(command: Command) -> anyhow::Result<Vec<ManPage>> {
    let mut command = command.disable_help_subcommand(true);
    command.build();
    let source = format!(
        "{} {}",
        command.get_name(),
        command.get_version().unwrap_or_default()
    );
    let mut pages = Vec::new();
    add_pages(&command, &[], &source, &mut pages)?;
    Ok(pages)
}

fn page_name(command: &Command) -> &str {
    command.get_display_name().unwrap_or(command.get_name())
}

fn add_pages(
    command: &Command,
    ancestors: &[&str],
    source: &str,
    pages: &mut Vec<ManPage>,
) -> anyhow::Result<()> {
    let name = page_name(command);
    pages.push(ManPage {
        file_name: format!("{name}.{SECTION}"),
        roff: render_page(command, ancestors, source)
            .with_context(|| format!("could not render the man page of '{name}'"))?,
    });
    let mut lineage = ancestors.to_vec();
    lineage.push(name);
    for subcommand in command.get_subcommands().filter(|sub| !sub.is_hide_set()) {
        add_pages(subcommand, &lineage, source, pages)?;
    }
    Ok(())
}

/// clap_mangen's sections, with the text after the options split into
/// NOTES and EXAMPLES (kept as written, not refilled), and SEE ALSO naming
/// the commands above this one: every page referred to is generated too.
fn render_page(command: &Command, ancestors: &[&str], source: &str) -> std::io::Result<Vec<u8>> {
    let man = Man::new(command.clone())
        .section(SECTION)
        .source(source)
        .manual("taxi-sim manual");
    let mut page = Vec::new();
    man.render_title(&mut page)?;
    man.render_name_section(&mut page)?;
    man.render_synopsis_section(&mut page)?;
    man.render_description_section(&mut page)?;
    if command.get_arguments().any(|arg| !arg.is_hide_set()) {
        man.render_options_section(&mut page)?;
    }
    if command.get_subcommands().any(|sub| !sub.is_hide_set()) {
        man.render_subcommands_section(&mut page)?;
    }
    if let Some(after) = command.get_after_long_help().or(command.get_after_help()) {
        page.extend_from_slice(notes_and_examples(&after.to_string()).as_bytes());
    }
    if ancestors.is_empty() && command.get_version().is_some() {
        man.render_version_section(&mut page)?;
    }
    if !ancestors.is_empty() {
        let references: Vec<String> = ancestors
            .iter()
            .rev()
            .map(|name| format!("\\fB{}\\fR({SECTION})", escape(name)))
            .collect();
        writeln!(page, ".SH \"SEE ALSO\"\n{}", references.join(", "))?;
    }
    Ok(page)
}

/// The help's closing text: prose before `Examples:` becomes NOTES, the
/// examples a no-fill EXAMPLES section so their columns stay aligned.
fn notes_and_examples(text: &str) -> String {
    let (notes, examples) = match text.split_once("Examples:") {
        Some((notes, examples)) => (notes, Some(examples)),
        None => (text, None),
    };
    let mut roff = String::new();
    let notes = notes.trim();
    if !notes.is_empty() {
        roff.push_str(".SH NOTES\n");
        for paragraph in notes.split("\n\n") {
            // Indented lines are commands: kept as written, not refilled.
            if paragraph.lines().any(|line| line.starts_with("  ")) {
                let _ = writeln!(roff, ".PP\n.nf\n{}\n.fi", escape(paragraph));
            } else {
                let _ = writeln!(roff, ".PP\n{}", escape(paragraph.trim()));
            }
        }
    }
    if let Some(examples) = examples {
        roff.push_str(".SH EXAMPLES\n.nf\n");
        for line in examples.trim_matches('\n').lines() {
            let _ = writeln!(roff, "{}", escape(line));
        }
        roff.push_str(".fi\n");
    }
    roff
}

/// Text made safe for roff: backslashes and hyphens escaped, and a line
/// that would start with a control character guarded.
fn escape(text: &str) -> String {
    text.lines()
        .map(|line| {
            let line = line.replace('\\', "\\e").replace('-', "\\-");
            if line.starts_with(['.', '\'']) {
                format!("\\&{line}")
            } else {
                line
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Writes `pages` into `directory` (created if missing), each through a
/// temporary file renamed into place, so an existing page is only ever
/// replaced by a complete one. Returns the paths written.
pub fn write_pages(pages: &[ManPage], directory: &Path) -> anyhow::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(directory)
        .with_context(|| format!("could not create directory '{}'", directory.display()))?;
    let mut written = Vec::new();
    for page in pages {
        let path = directory.join(&page.file_name);
        crate::output::write_file_atomically(&path, &page.roff)?;
        written.push(path);
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roff_escapes_hyphens_backslashes_and_leading_dots() {
        assert_eq!(escape("a-b\\c"), "a\\-b\\ec");
        assert_eq!(escape(".x\n'y\nz"), "\\&.x\n\\&'y\nz");
    }

    #[test]
    fn bash_states_are_spelled_as_the_loop_assigns_them() {
        let broken = b"cmd=\"my__app__subcmd__run\"\n  my__subcmd__app__subcmd__run)".to_vec();
        let fixed = String::from_utf8(fix_bash_states(broken, "my-app")).unwrap();
        assert_eq!(
            fixed,
            "cmd=\"my__app__subcmd__run\"\n  my__app__subcmd__run)"
        );
    }

    #[test]
    fn notes_and_examples_are_split_at_the_examples_heading() {
        let roff = notes_and_examples("Precedence: a-b.\n\nExamples:\n  x --y   z\n");
        assert!(roff.contains(".SH NOTES\n.PP\nPrecedence: a\\-b.\n"));
        assert!(roff.contains(".SH EXAMPLES\n.nf\n  x \\-\\-y   z\n.fi\n"));
    }
}

#[cfg(test)]
mod bite_tests {
    use clap::CommandFactory;

    use super::*;
    use crate::cli::Cli;

    fn script(shell: Shell) -> String {
        String::from_utf8(completion_script(shell, &mut Cli::command())).unwrap()
    }

    fn pages() -> Vec<ManPage> {
        man_pages(Cli::command()).unwrap()
    }

    fn page(pages: &[ManPage], file_name: &str) -> String {
        let page = pages.iter().find(|page| page.file_name == file_name);
        String::from_utf8(page.expect(file_name).roff.clone()).unwrap()
    }

    #[test]
    fn the_bash_script_completes_the_states_its_loop_assigns() {
        let bash = script(Shell::Bash);
        assert!(bash.contains("taxi__sim__subcmd__run)"), "{bash}");
        assert!(!bash.contains("taxi__subcmd__sim"), "{bash}");
    }

    #[test]
    fn the_fish_script_completes_the_values_of_positional_arguments() {
        let fish = script(Shell::Fish);
        let line = "complete -c taxi-sim -n \"__fish_taxi_sim_using_subcommand completions\" -f -a \"bash elvish fish powershell zsh\"\n";
        assert!(fish.contains(line), "{fish}");
        // The top command's own options are completed too.
        assert!(fish.starts_with("# Print an optspec"), "{fish}");
    }

    #[test]
    fn the_fish_values_are_one_line_per_positional_with_possible_values() {
        let lines = fish_positional_values(&Cli::command(), "taxi-sim");
        assert_eq!(
            lines,
            "complete -c taxi-sim -n \"__fish_taxi_sim_using_subcommand completions\" -f -a \"bash elvish fish powershell zsh\"\n"
        );
    }

    #[test]
    fn the_zsh_script_is_the_generators() {
        let zsh = script(Shell::Zsh);
        assert!(zsh.starts_with("#compdef taxi-sim"), "{zsh}");
    }

    #[test]
    fn there_is_a_page_per_visible_command_named_by_its_lineage() {
        let names: Vec<String> = pages().into_iter().map(|page| page.file_name).collect();
        // The top page first, each command before its subcommands, and no
        // page for clap's `help`.
        let expected = [
            "",
            "-run",
            "-replay",
            "-sweep",
            "-size",
            "-merge",
            "-scenario",
            "-scenario-check",
            "-scenario-show",
            "-scenario-list",
            "-chart",
            "-validate",
            "-completions",
            "-man",
        ]
        .map(|suffix| format!("taxi-sim{suffix}.1"));
        assert_eq!(names, expected);
    }

    #[test]
    fn the_top_page_has_options_subcommands_examples_and_version_but_no_see_also() {
        let top = page(&pages(), "taxi-sim.1");
        assert!(top.starts_with(".ie \\n(.g .ds Aq"), "{top}");
        assert!(top.contains(".TH taxi-sim 1"), "{top}");
        assert!(top.contains(".SH OPTIONS"), "{top}");
        assert!(top.contains(".SH SUBCOMMANDS"), "{top}");
        assert!(top.contains(".SH EXAMPLES"), "{top}");
        assert!(top.contains(".SH VERSION"), "{top}");
        assert!(!top.contains("SEE ALSO"), "{top}");
    }

    #[test]
    fn a_subcommands_page_refers_to_the_commands_above_it_and_has_no_version() {
        let pages = pages();
        let run = page(&pages, "taxi-sim-run.1");
        assert!(run.contains(".SH OPTIONS"), "{run}");
        assert!(!run.contains(".SH SUBCOMMANDS"), "{run}");
        assert!(run.contains(".SH NOTES"), "{run}");
        assert!(!run.contains(".SH VERSION"), "{run}");
        assert!(
            run.ends_with(".SH \"SEE ALSO\"\n\\fBtaxi\\-sim\\fR(1)\n"),
            "{run}"
        );
        let check = page(&pages, "taxi-sim-scenario-check.1");
        assert!(
            check.ends_with(
                ".SH \"SEE ALSO\"\n\\fBtaxi\\-sim\\-scenario\\fR(1), \\fBtaxi\\-sim\\fR(1)\n"
            ),
            "{check}"
        );
    }

    #[test]
    fn a_command_without_a_version_gets_a_page_without_a_version_section() {
        // clap_mangen's version section would panic on a missing version.
        let pages = man_pages(Command::new("bare").about("No version.")).unwrap();
        assert_eq!(pages.len(), 1);
        let page = String::from_utf8(pages[0].roff.clone()).unwrap();
        assert!(page.contains(".SH NAME"), "{page}");
        assert!(!page.contains(".SH VERSION"), "{page}");
    }

    #[test]
    fn the_pages_are_written_into_the_directory_and_their_paths_returned() {
        let directory = tempfile::tempdir().unwrap();
        let target = directory.path().join("man1");
        let pages = pages();
        let written = write_pages(&pages, &target).unwrap();
        assert_eq!(written.len(), pages.len());
        for (path, page) in written.iter().zip(&pages) {
            assert_eq!(*path, target.join(&page.file_name));
            assert_eq!(std::fs::read(path).unwrap(), page.roff);
        }
    }
}
