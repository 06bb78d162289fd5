//! Arguments shared by the analysis commands: the data file, item selection, missing codes.

use std::path::PathBuf;
use trustscale::data::ReadOptions;
use trustscale::study::DataRequest;
use trustscale::Result;

/// The data file and how to read it.
#[derive(Debug, Clone, clap::Args)]
pub struct ReadArgs {
    /// The data file: CSV with a header row, SPSS .sav/.zsav, Stata .dta or Excel .xlsx (by
    /// extension); with `--study`, found from the study.
    pub data: Option<PathBuf>,
    /// Extra missing-value codes, e.g. `--missing=-99,-999` (empty, NA and . always are).
    #[arg(long, value_delimiter = ',', allow_hyphen_values = true)]
    pub missing: Vec<String>,
    /// Field delimiter: `,`, `;` or `tab` (default: detected from the header).
    #[arg(long)]
    pub delimiter: Option<String>,
    /// Rows to skip after the header (default: detect a Qualtrics export and skip its 2 extra rows).
    #[arg(long)]
    pub skip_rows: Option<usize>,
    /// The sheet of an Excel workbook (.xlsx) to read (default: the first).
    #[arg(long)]
    pub sheet: Option<String>,
}

impl ReadArgs {
    /// Reader options from the flags.
    pub fn read_options(&self) -> Result<ReadOptions> {
        Ok(ReadOptions {
            delimiter: self
                .delimiter
                .as_deref()
                .map(ReadOptions::parse_delimiter)
                .transpose()?,
            skip_rows: self.skip_rows,
            missing: self.missing.clone(),
            sheet: self.sheet.clone(),
        })
    }

    /// The library's request for this file (no items selected).
    pub fn request(&self) -> Result<DataRequest> {
        Ok(DataRequest {
            data: self.data.clone(),
            read: self.read_options()?,
            ..DataRequest::default()
        })
    }
}

/// Data file and item selection.
#[derive(Debug, clap::Args)]
pub struct DataArgs {
    #[command(flatten)]
    pub read: ReadArgs,
    /// Items: names and column ranges, e.g. `A1,A2,A5` or `A1:A5`.
    #[arg(long)]
    pub items: Option<String>,
    /// An instrument id (`tblc`) or file: items, reverse keys and response range come from it.
    #[arg(long)]
    pub instrument: Option<String>,
    /// One subscale of the instrument (default: every subscale).
    #[arg(long)]
    pub scale: Option<String>,
    /// The rater form the data were collected with.
    #[arg(long)]
    pub form: Option<String>,
    /// Reverse-keyed items: x -> (scale-min + scale-max) - x.
    #[arg(long, value_delimiter = ',')]
    pub reverse: Vec<String>,
    /// Lowest response of the scale (needed with --reverse; responses below it are errors).
    #[arg(long, allow_negative_numbers = true, value_parser = finite_f64)]
    pub scale_min: Option<f64>,
    /// Highest response of the scale.
    #[arg(long, allow_negative_numbers = true, value_parser = finite_f64)]
    pub scale_max: Option<f64>,
    /// Use only rows complete on the selected items (default: the peer's policy, see each command).
    #[arg(long)]
    pub listwise: bool,
    /// A respondent id column to carry into outputs.
    #[arg(long)]
    pub id: Option<String>,
    /// A study file (study.toml): the data file holding `--instrument` comes from it, and rows
    /// are those of `--form` (default: observer ratings where the file mixes forms).
    #[arg(long)]
    pub study: Option<PathBuf>,
}

impl DataArgs {
    /// The library's request for the data these flags select.
    pub fn request(&self) -> Result<DataRequest> {
        Ok(DataRequest {
            data: self.read.data.clone(),
            memory: None,
            table: None,
            read: self.read.read_options()?,
            items: self.items.clone(),
            instrument: self.instrument.clone(),
            scale: self.scale.clone(),
            form: self.form.clone(),
            reverse: self.reverse.clone(),
            scale_min: self.scale_min,
            scale_max: self.scale_max,
            listwise: self.listwise,
            id: self.id.clone(),
            study: self.study.clone(),
            all_forms: false,
        })
    }
}

/// Which correlations an analysis uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CorArg {
    /// Pearson correlations (pairwise by default, as psych).
    Pearson,
    /// Polychoric correlations (psych::polychoric; `tetrachoric` is separate).
    Polychoric,
}

impl From<CorArg> for trustscale::correlation::Cor {
    fn from(c: CorArg) -> Self {
        match c {
            CorArg::Pearson => trustscale::correlation::Cor::Pearson,
            CorArg::Polychoric => trustscale::correlation::Cor::Polychoric,
        }
    }
}

/// Parses a number for a flag and refuses `NaN` and infinities (Rust's `f64` parser takes
/// "NaN", "inf" and "1e999"), so that no option can put a non-finite value into an analysis.
pub fn finite_f64(s: &str) -> std::result::Result<f64, String> {
    let x: f64 = s
        .trim()
        .parse()
        .map_err(|_| format!("expected a number, found \"{s}\""))?;
    if x.is_finite() {
        Ok(x)
    } else {
        Err(format!("expected a finite number, found \"{s}\""))
    }
}
