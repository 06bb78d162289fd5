//! `trustscale describe`.

use super::common::ReadArgs;
use super::Output;
use trustscale::analysis::describe::DescribeRequest;
use trustscale::analysis::{to_json, Request};
use trustscale::render::Report;
use trustscale::Result;

/// Arguments of `describe`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    read: ReadArgs,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

/// Runs the command.
pub fn run(a: Args) -> Result<Output> {
    let out = DescribeRequest {
        data: a.read.request()?,
    }
    .run()?;
    Ok(Output::text(if a.json {
        to_json(&out)?
    } else {
        out.tables().iter().map(|t| t.to_string()).collect()
    }))
}
