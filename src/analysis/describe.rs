//! `trustscale describe DATA` as a library call: [`DescribeRequest`] → [`DescribeOutput`].

use super::{Outcome, Request};
use crate::data::describe::{describe, Description};
use crate::error::{Result, Warning};
use crate::study::DataRequest;
use serde::Serialize;
use std::path::Path;

/// Describes a data file: columns, types, labels, missing codes, rows, answers and the range of
/// each numeric column (see [`crate::data::describe`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DescribeRequest {
    /// The file and how to read it (`data` and `read`; items are not selected).
    pub data: DataRequest,
}

/// What the file holds; serialises as the description.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
#[serde(transparent)]
pub struct DescribeOutput {
    /// The description.
    pub description: Description,
}

impl Outcome for DescribeOutput {
    fn warnings(&self) -> Vec<Warning> {
        Vec::new()
    }
}

impl Request for DescribeRequest {
    type Output = DescribeOutput;

    fn args(&self) -> Vec<String> {
        let mut a = vec!["describe".to_string()];
        a.extend(self.data.args());
        a
    }

    fn study(&self) -> Option<&Path> {
        None
    }

    fn run(&self) -> Result<DescribeOutput> {
        Ok(DescribeOutput {
            description: describe(self.data.path()?, &self.data.read)?,
        })
    }
}
