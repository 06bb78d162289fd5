//! Arguments shared by the analysis commands: the data file, item selection, missing codes.

use std::path::PathBuf;
use trustscale::data::read::ColumnRequest;
use trustscale::data::{CsvSource, ItemData, ItemSpec, ReadOptions, Selection};
use trustscale::instrument::{self, Instrument};
use trustscale::{Error, Location, Result};

/// The data file and how to read it.
#[derive(Debug, Clone, clap::Args)]
pub struct ReadArgs {
    /// The data file (CSV with a header row); with `--study`, found from the study.
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
}

impl ReadArgs {
    /// Reader options from the flags.
    pub fn read_options(&self) -> Result<ReadOptions> {
        let delimiter = match self.delimiter.as_deref() {
            None => None,
            Some(",") | Some("comma") => Some(b','),
            Some(";") | Some("semicolon") => Some(b';'),
            Some("tab") | Some("\\t") | Some("\t") => Some(b'\t'),
            Some(other) => {
                return Err(Error::option(
                    "--delimiter",
                    format!("expected , ; or tab, found \"{other}\""),
                ))
            }
        };
        Ok(ReadOptions {
            delimiter,
            skip_rows: self.skip_rows,
            missing: self.missing.clone(),
        })
    }

    /// The data file.
    pub fn path(&self) -> Result<&std::path::Path> {
        self.data.as_deref().ok_or_else(|| {
            Error::option(
                "DATA",
                "give the data file (or --study FILE with --instrument)",
            )
        })
    }

    /// Opens the file and reads its header.
    pub fn open(&self) -> Result<CsvSource> {
        CsvSource::open(self.path()?, &self.read_options()?)
    }

    /// A location naming the file.
    pub fn at(&self) -> Location {
        Location::file(self.data.clone())
    }

    /// Whether a text cell is missing: empty, `NA`, `.` or one of the `--missing` codes.
    pub fn is_missing(&self, cell: &str) -> bool {
        let t = cell.trim();
        t.is_empty()
            || t == "NA"
            || t == "."
            || self.missing.iter().any(|m| m.trim() == t)
            || t.parse::<f64>().is_ok_and(|v| {
                self.missing
                    .iter()
                    .any(|m| m.trim().parse::<f64>() == Ok(v))
            })
    }

    /// Reads named columns as text, one `Vec<Option<String>>` per column (`None` = missing),
    /// with the spreadsheet row number of each row.
    pub fn read_text_columns(
        &self,
        names: &[String],
        flag: &str,
    ) -> Result<(Vec<TextColumn>, Vec<u64>)> {
        if names.is_empty() {
            return Err(Error::option(flag, "name at least one column"));
        }
        let src = self.open()?;
        let header = src.names().to_vec();
        let at = self.at();
        let cols: Vec<usize> = ItemSpec(names.to_vec()).resolve(&header, &at)?;
        let (data, texts) = src.read_text(&[], &cols)?;
        let cols = texts
            .into_iter()
            .map(|c| {
                c.into_iter()
                    .map(|v| (!self.is_missing(&v)).then_some(v))
                    .collect()
            })
            .collect();
        Ok((cols, data.rows))
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
    #[arg(long, allow_negative_numbers = true)]
    pub scale_min: Option<f64>,
    /// Highest response of the scale.
    #[arg(long, allow_negative_numbers = true)]
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

/// A text column's cells, `None` where missing.
pub type TextColumn = Vec<Option<String>>;

/// Scales, the instrument they came from, and the extra text columns asked for.
pub type Loaded = (Vec<ScaleData>, Option<Instrument>, Vec<Vec<String>>);

/// One scale's data, ready for analysis (reverse keys applied).
pub struct ScaleData {
    /// Subscale id, or `items` for a hand-made selection.
    pub name: String,
    /// The data.
    pub data: ItemData,
    /// Which items were reverse keyed.
    pub reversed: Vec<bool>,
}

impl DataArgs {
    /// The data to read: the DATA file, or the study's dataset holding the instrument, with the
    /// form column and value to keep.
    fn source(&self, inst: Option<&Instrument>) -> Result<(ReadArgs, Option<(String, String)>)> {
        if self.read.data.is_some() || self.study.is_none() {
            return Ok((self.read.clone(), None));
        }
        let (study, ds) = self.study_dataset(inst)?;
        let mut read = self.read.clone();
        read.data = Some(study.path_of(&ds));
        let filter = match (&ds.form, &self.form, inst) {
            (Some(col), Some(form), _) => Some((col.clone(), form.clone())),
            (Some(col), None, Some(i)) if i.forms.iter().any(|f| f.id == "observer") => {
                Some((col.clone(), "observer".to_string()))
            }
            _ => None,
        };
        Ok((read, filter))
    }

    /// The study and its dataset holding the instrument.
    pub fn study_dataset(
        &self,
        inst: Option<&Instrument>,
    ) -> Result<(trustscale::study::Study, trustscale::study::Dataset)> {
        let Some(path) = &self.study else {
            return Err(Error::option("--study", "no study file given"));
        };
        let study = trustscale::study::Study::load(path)?;
        let Some(inst) = inst else {
            return Err(Error::option(
                "--instrument",
                "with --study, name the instrument whose data to use",
            ));
        };
        let ds = study.dataset_for(&inst.id)?.clone();
        Ok((study, ds))
    }

    /// The instrument, if one was named.
    pub fn instrument(&self) -> Result<Option<Instrument>> {
        let inst = self
            .instrument
            .as_deref()
            .map(instrument::load)
            .transpose()?;
        if let (Some(inst), Some(form)) = (&inst, &self.form) {
            inst.require_form(form)?;
        }
        Ok(inst)
    }

    fn hand_scale(&self) -> Result<Option<(f64, f64)>> {
        match (self.scale_min, self.scale_max) {
            (Some(lo), Some(hi)) if lo < hi => Ok(Some((lo, hi))),
            (Some(lo), Some(hi)) => Err(Error::option(
                "--scale-min",
                format!("--scale-min ({lo}) must be below --scale-max ({hi})"),
            )),
            (None, None) => Ok(None),
            _ => Err(Error::option(
                "--scale-min",
                "give both --scale-min and --scale-max",
            )),
        }
    }

    /// Reads the file once and returns each requested scale's data.
    pub fn load(&self) -> Result<(Vec<ScaleData>, Option<Instrument>)> {
        self.load_with(&[]).map(|(s, i, _)| (s, i))
    }

    /// [`DataArgs::load`], also reading the named columns as text (group ids, ...): one
    /// `Vec<String>` per name, row-aligned with every scale's data.
    pub fn load_with(&self, text: &[String]) -> Result<Loaded> {
        let inst = self.instrument()?;
        let (read, form_filter) = self.source(inst.as_ref())?;
        let src = read.open()?;
        let at = read.at();
        let header = src.names().to_vec();
        let mut sels: Vec<(String, Selection)> = match (&inst, &self.items) {
            (Some(inst), None) => inst.selections(self.scale.as_deref(), &header, &at)?,
            (_, Some(items)) => {
                let spec = ItemSpec::parse(items)?;
                let columns = spec.resolve(&header, &at)?;
                let scale = match (self.hand_scale()?, &inst) {
                    (Some(s), _) => Some(s),
                    (None, Some(i)) => Some((i.scale.min as f64, i.scale.max as f64)),
                    (None, None) => None,
                };
                let sel = Selection {
                    names: columns.iter().map(|&c| header[c].clone()).collect(),
                    reverse: vec![false; columns.len()],
                    columns,
                    scale,
                };
                vec![("items".to_string(), sel)]
            }
            (None, None) => {
                return Err(Error::option(
                    "--items",
                    "name the items (--items A1:A5) or an instrument (--instrument tblc)",
                ))
            }
        };
        if self.scale_min.is_some() || self.scale_max.is_some() {
            let s = self.hand_scale()?;
            for (_, sel) in &mut sels {
                sel.scale = s;
            }
        }
        if !self.reverse.is_empty() {
            for (_, sel) in &mut sels {
                let mine: Vec<String> = self
                    .reverse
                    .iter()
                    .filter(|r| sel.names.iter().any(|n| n == r.trim()))
                    .cloned()
                    .collect();
                sel.set_reverse(&mine)?;
            }
            if let Some(r) = self.reverse.iter().find(|r| {
                !sels
                    .iter()
                    .any(|(_, s)| s.names.iter().any(|n| n == r.trim()))
            }) {
                return Err(Error::option(
                    "--reverse",
                    format!("\"{r}\" is not one of the selected items"),
                ));
            }
        }
        // read the union of the columns once
        let mut union: Vec<usize> = Vec::new();
        let mut ranges: Vec<Option<(f64, f64)>> = Vec::new();
        for (_, sel) in &sels {
            for &c in &sel.columns {
                if !union.contains(&c) {
                    union.push(c);
                    ranges.push(sel.scale);
                }
            }
        }
        let mut text_cols: Vec<usize> = Vec::new();
        if let Some(name) = &self.id {
            text_cols.push(ItemSpec(vec![name.clone()]).resolve(&header, &at)?[0]);
        }
        for name in text {
            text_cols.push(ItemSpec(vec![name.clone()]).resolve(&header, &at)?[0]);
        }
        if let Some((col, _)) = &form_filter {
            text_cols.push(ItemSpec(vec![col.clone()]).resolve(&header, &at)?[0]);
        }
        let reqs: Vec<ColumnRequest> = union
            .iter()
            .zip(&ranges)
            .map(|(&index, &range)| ColumnRequest { index, range })
            .collect();
        let (mut all, mut texts) = src.read_text(&reqs, &text_cols)?;
        if let Some((_, form)) = &form_filter {
            let forms = texts.pop().unwrap_or_default();
            let keep: Vec<bool> = forms.iter().map(|f| f == form).collect();
            if !keep.iter().any(|&k| k) {
                return Err(Error::option(
                    "--form",
                    format!("no rows of form \"{form}\" in {}", at),
                ));
            }
            all = filter_rows(&all, &keep);
            for t in &mut texts {
                *t = t
                    .iter()
                    .zip(&keep)
                    .filter(|(_, &k)| k)
                    .map(|(v, _)| v.clone())
                    .collect();
            }
        }
        if self.id.is_some() && !texts.is_empty() {
            all.ids = Some(texts.remove(0));
        }
        if all.n() == 0 {
            return Err(Error::Empty {
                at,
                what: "a header and no data rows".into(),
            });
        }
        let scale_data = |name: String, sel: &Selection, mut data: ItemData| {
            sel.apply_reverse(&mut data);
            ScaleData {
                name,
                data,
                reversed: sel.reverse.clone(),
            }
        };
        let scales = if sels.len() == 1 {
            // one selection reads exactly its columns, in order: no copy needed
            let (name, sel) = sels.swap_remove(0);
            vec![scale_data(name, &sel, all)]
        } else {
            sels.into_iter()
                .map(|(name, sel)| {
                    let pos: Vec<usize> = sel
                        .columns
                        .iter()
                        .filter_map(|c| union.iter().position(|u| u == c))
                        .collect();
                    scale_data(name, &sel, all.columns(&pos))
                })
                .collect()
        };
        Ok((scales, inst, texts))
    }
}

/// Serialises a result as pretty JSON.
pub fn to_json<T: serde::Serialize>(v: &T) -> Result<String> {
    serde_json::to_string_pretty(v)
        .map(|s| s + "\n")
        .map_err(|e| Error::option("--json", format!("cannot serialise the result: {e}")))
}

/// Which correlations an analysis uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CorArg {
    /// Pearson correlations (pairwise by default, as psych).
    Pearson,
    /// Polychoric correlations (psych::polychoric; `tetrachoric` is separate).
    Polychoric,
}

impl CorArg {
    /// The contract's name.
    pub fn name(&self) -> &'static str {
        match self {
            CorArg::Pearson => "pearson",
            CorArg::Polychoric => "polychoric",
        }
    }
}

/// The correlation matrix an analysis uses, its n, and warnings.
///
/// Pearson: psych's `cor(x, use = "pairwise")` (pair-specific means and sds), n = all rows;
/// `--listwise`: complete rows only. Polychoric: psych::polychoric's pairwise rows, smoothed
/// when not positive definite.
pub fn correlation_matrix(
    data: &ItemData,
    cor: CorArg,
    listwise: bool,
) -> Result<(nalgebra::DMatrix<f64>, usize, Vec<trustscale::Warning>)> {
    use trustscale::correlation::{covariance, Missing};
    let mut warnings = Vec::new();
    let missing_rows = data.rows_with_missing();
    let owned;
    let data = if listwise && missing_rows > 0 {
        warnings.push(trustscale::Warning::new(
            trustscale::WarningCode::Listwise,
            format!("{missing_rows} rows with missing cells were dropped (listwise)"),
        ));
        owned = data.listwise();
        &owned
    } else {
        // polychoric() reports its own pairwise note
        if missing_rows > 0 && cor == CorArg::Pearson {
            warnings.push(trustscale::Warning::new(
                trustscale::WarningCode::Pairwise,
                format!("{missing_rows} rows have missing cells: correlations from pairwise-complete rows (psych's default; --listwise to change)"),
            ));
        }
        data
    };
    match cor {
        CorArg::Pearson => {
            let m = covariance(data, Missing::Pairwise)?;
            Ok((m.pairwise_cor(), data.n(), warnings))
        }
        CorArg::Polychoric => {
            use trustscale::correlation::polychoric::{polychoric, PolychoricOptions};
            let p = polychoric(data, &PolychoricOptions::default())?;
            warnings.extend(p.warnings.iter().cloned());
            Ok((p.rho, data.n(), warnings))
        }
    }
}

/// The scales' items side by side (in order) as one data set, with each item's subscale.
pub fn merge_scales(scales: &[ScaleData]) -> (ItemData, Vec<String>) {
    if let [one] = scales {
        return (one.data.clone(), vec![one.name.clone(); one.data.k()]);
    }
    let mut names = Vec::new();
    let mut subscale = Vec::new();
    for s in scales {
        names.extend(s.data.names.iter().cloned());
        subscale.extend(std::iter::repeat_n(s.name.clone(), s.data.k()));
    }
    let Some(first) = scales.first().map(|s| &s.data) else {
        let empty = ItemData {
            file: None,
            names,
            values: Vec::new(),
            rows: Vec::new(),
            ids: None,
        };
        return (empty, subscale);
    };
    let n = first.n();
    let mut values = Vec::with_capacity(n * names.len());
    for i in 0..n {
        for s in scales {
            values.extend_from_slice(s.data.row(i));
        }
    }
    let data = ItemData {
        file: first.file.clone(),
        names,
        values,
        rows: first.rows.clone(),
        ids: first.ids.clone(),
    };
    (data, subscale)
}

/// The rows of `data` where `keep` is true.
pub fn filter_rows(data: &ItemData, keep: &[bool]) -> ItemData {
    let k = data.k();
    let mut values = Vec::new();
    let mut rows = Vec::new();
    let mut ids = data.ids.as_ref().map(|_| Vec::new());
    for (i, r) in data.row_iter().enumerate() {
        if keep.get(i).copied().unwrap_or(false) {
            values.extend_from_slice(r);
            rows.push(data.rows[i]);
            if let (Some(out), Some(src)) = (ids.as_mut(), data.ids.as_ref()) {
                out.push(src[i].clone());
            }
        }
    }
    debug_assert_eq!(values.len(), rows.len() * k);
    ItemData {
        file: data.file.clone(),
        names: data.names.clone(),
        values,
        rows,
        ids,
    }
}

/// `FILE-suffix.ext` beside a `--plot FILE.ext`: the name of a chart's companion charts.
pub fn plot_path(base: &std::path::Path, suffix: &str) -> PathBuf {
    let stem = base.file_stem().and_then(|s| s.to_str()).unwrap_or("chart");
    let ext = base.extension().and_then(|s| s.to_str()).unwrap_or("svg");
    base.with_file_name(format!("{stem}-{suffix}.{ext}"))
}
