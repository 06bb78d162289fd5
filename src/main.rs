//! The `trustscale` binary: parses the command line, runs the library, prints the result.
//! Any error prints one line and exits with status 2.

mod cli;

use clap::Parser;
use std::io::Write;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args = cli::Cli::parse();
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
