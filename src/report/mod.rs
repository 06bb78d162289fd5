//! The validation report as a document: sections of verdicts, APA-style tables and charts,
//! written as one self-contained HTML file (inline SVG, embedded CSS, no scripts, no network).
//!
//! The HTML is also well-formed XML (every element closed, attributes quoted, only the five
//! XML entities), so it can be checked by any XML parser.

pub mod build;
mod document;

/// The cut-offs and verdicts, shared with the text tables (they live in [`crate::render`]).
pub use crate::render::verdict;
pub use build::{
    build, build_with_progress, check_out_dir, Plan, Progress, Report, ReportOptions, MANIFEST,
    SUPPLEMENTARY,
};
pub use document::{escape, ApaTable, Block, Document, Section};
