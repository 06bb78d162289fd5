//! The `trustscale` binary: parses the command line, runs the library, prints the result.
//! Any error prints one line and exits with status 2.

mod cli;

use clap::Parser;
use std::io::Write;
use std::process::ExitCode;

/// clap's usage error in one line: its message up to the usage and help hints, lines joined
/// (`error: invalid value 'NaN' for '--ci <CI>': expected a finite number, found "NaN"`).
fn one_line(e: &clap::Error) -> String {
    let text = e.render().to_string();
    text.lines()
        .map(str::trim)
        .take_while(|l| !l.starts_with("Usage:") && !l.starts_with("For more information"))
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

fn main() -> ExitCode {
    let args = match cli::Cli::try_parse() {
        Ok(a) => a,
        Err(e) => {
            use clap::error::ErrorKind;
            if matches!(
                e.kind(),
                ErrorKind::DisplayHelp
                    | ErrorKind::DisplayVersion
                    | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
            ) {
                e.exit();
            }
            let _ = writeln!(std::io::stderr(), "{}", one_line(&e));
            return ExitCode::from(2);
        }
    };
    match cli::run(args) {
        Ok(out) => {
            let mut err = std::io::stderr().lock();
            for w in &out.warnings {
                let _ = writeln!(err, "{w}");
            }
            let mut stdout = std::io::stdout().lock();
            match stdout
                .write_all(out.stdout.as_bytes())
                .and_then(|_| stdout.flush())
            {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
                Err(e) => {
                    let _ = writeln!(err, "error: writing output: {e}");
                    ExitCode::from(2)
                }
            }
        }
        Err(e) => {
            let _ = writeln!(std::io::stderr(), "error: {e}");
            ExitCode::from(2)
        }
    }
}
