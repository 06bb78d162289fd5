//! From a data file or a study to typed item data: the one path every analysis, `profile`,
//! `regress --study` and the report take.
//!
//! study file → dataset holding the instrument → rows of the rater form → the instrument's
//! subscales (or items named by hand) → reverse keys → one [`ScaleData`] per subscale, read from
//! the file in one pass, with any text columns (ids, groups) row-aligned with it.

use super::Study;
use crate::data::read::{ColumnRequest, SumsSpec};
use crate::data::{DataSource, ItemData, ItemSpec, PairSums, ReadOptions, Selection, Table};
use crate::error::{Error, Location, Result};
use crate::instrument::{self, Instrument};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Which data to read and which items to take from it: the data-selection part of every
/// analysis (`DATA --items ...`, or `--instrument ID [--scale S] [--form F] [--study FILE]`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DataRequest {
    /// The data file (CSV with a header row, SPSS `.sav`/`.zsav`, Stata `.dta` or Excel `.xlsx`);
    /// with [`DataRequest::study`], found from the study.
    pub data: Option<PathBuf>,
    /// In-memory data instead of a file (e.g. from [`ItemData::from_array`]): items are
    /// selected from its columns by name or instrument as from a file's header.
    pub memory: Option<Arc<ItemData>>,
    /// An in-memory table instead of a file (a pandas DataFrame from the Python package): named
    /// columns of numbers or text, read exactly as a decoded SPSS or Excel file is (the same
    /// selection, text columns for ids and groups, and the same errors naming row and column).
    pub table: Option<Arc<Table>>,
    /// How to read it (delimiter, rows to skip, missing codes).
    pub read: ReadOptions,
    /// Items by name and column range (`A1,A2,A5` or `A1:A5`).
    pub items: Option<String>,
    /// An instrument id (`tblc`) or file: items, reverse keys and response range come from it.
    /// With a study, also an instrument file the study names (resolved beside the study file).
    pub instrument: Option<String>,
    /// One subscale of the instrument (default: every subscale).
    pub scale: Option<String>,
    /// The rater form the data were collected with.
    pub form: Option<String>,
    /// Reverse-keyed items: x → (scale min + scale max) − x.
    pub reverse: Vec<String>,
    /// Lowest response of the scale (needed with `reverse`; responses below it are errors).
    pub scale_min: Option<f64>,
    /// Highest response of the scale.
    pub scale_max: Option<f64>,
    /// Use only rows complete on the selected items (each analysis documents its default).
    pub listwise: bool,
    /// A respondent id column to carry into outputs.
    pub id: Option<String>,
    /// A study file: the dataset holding the instrument comes from it, and rows are those of
    /// `form` (default: observer ratings where the file mixes forms).
    pub study: Option<PathBuf>,
    /// With a study, keep the rows of every form (leader profiles set self ratings beside the
    /// collaborators'); `form` is then ignored.
    pub all_forms: bool,
}

/// A text column's cells, `None` where missing.
pub type TextColumn = Vec<Option<String>>;

/// One scale's data, ready for analysis (reverse keys applied).
#[derive(Debug, Clone)]
pub struct ScaleData {
    /// Subscale id, or `items` for a hand-made selection.
    pub name: String,
    /// The data.
    pub data: ItemData,
    /// Which items were reverse keyed.
    pub reversed: Vec<bool>,
    /// Each item's wording (see [`item_text`]), `None` when neither the instrument nor the
    /// data file gives one.
    pub text: Vec<Option<String>>,
}

/// An item's wording as tables and the report show it: the instrument's text for the form
/// (the form asked for, else the first form of the instrument), else the variable label the
/// data file carries (SPSS, Stata), else none.
pub fn item_text(
    inst: Option<&Instrument>,
    form: Option<&str>,
    item: &str,
    label: Option<&str>,
) -> Option<String> {
    let from_instrument = inst.and_then(|inst| {
        let form = form.or_else(|| inst.forms.first().map(|f| f.id.as_str()))?;
        let it = inst.items.iter().find(|i| i.id == item)?;
        it.text.get(form).filter(|t| !t.trim().is_empty()).cloned()
    });
    from_instrument.or_else(|| {
        label
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(String::from)
    })
}

/// What [`DataRequest::load`] read.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// One entry per subscale asked for (or one `items` entry for a hand-made selection).
    pub scales: Vec<ScaleData>,
    /// The instrument the items came from, if any.
    pub instrument: Option<Instrument>,
    /// The extra text columns asked for, one `Vec<String>` per name, row-aligned with the data.
    pub texts: Vec<Vec<String>>,
}

/// What [`DataRequest::plan`] found.
struct Plan<'a> {
    src: Option<DataSource>,
    /// An in-memory table read in place.
    table: Option<&'a Table>,
    /// The reading options (missing codes, ...) for that table.
    read_options: ReadOptions,
    inst: Option<Instrument>,
    form_filter: Option<(String, String)>,
    sels: Vec<(String, Selection)>,
    union: Vec<usize>,
    reqs: Vec<ColumnRequest>,
    text_cols: Vec<usize>,
    at: Location,
    /// The variable labels of a labelled file, by column (empty for CSV and memory).
    labels: Vec<Option<String>>,
}

/// One scale's sufficient statistics, read by [`DataRequest::load_sums`].
#[derive(Debug, Clone)]
pub struct ScaleSums {
    /// Subscale id, or `items` for a hand-made selection.
    pub name: String,
    /// Its item names.
    pub names: Vec<String>,
    /// Which items were reverse keyed.
    pub reversed: Vec<bool>,
    /// The sums (reverse keys applied).
    pub sums: PairSums,
    /// Each item's wording (see [`item_text`]): a CSV file has no variable labels, so the
    /// instrument's text for the form, else `None`.
    pub text: Vec<Option<String>>,
}

/// What [`DataRequest::load_sums`] read.
#[derive(Debug, Clone)]
pub struct LoadedSums {
    /// One entry per subscale asked for (or one `items` entry for a hand-made selection).
    pub scales: Vec<ScaleSums>,
    /// The instrument the items came from, if any.
    pub instrument: Option<Instrument>,
    /// The data file, for errors.
    pub at: Location,
}

impl Loaded {
    /// The scales' items side by side (in order) as one data set, with each item's subscale.
    pub fn merged(&self) -> (ItemData, Vec<String>) {
        merge_scales(&self.scales)
    }
}

impl DataRequest {
    /// A request for in-memory data, items selected by [`DataRequest::items`] or
    /// [`DataRequest::instrument`] (all columns when neither is set).
    pub fn memory(data: ItemData) -> DataRequest {
        DataRequest {
            memory: Some(Arc::new(data)),
            ..DataRequest::default()
        }
    }

    /// A request for an in-memory table (numbers and text columns), items selected by
    /// [`DataRequest::items`] or [`DataRequest::instrument`] as from a file's header.
    pub fn table(table: Table) -> DataRequest {
        DataRequest {
            table: Some(Arc::new(table)),
            ..DataRequest::default()
        }
    }

    /// A request for the items of an instrument in a study's data.
    pub fn study_instrument(study: &Path, instrument: &str) -> DataRequest {
        DataRequest {
            study: Some(study.to_path_buf()),
            instrument: Some(instrument.to_string()),
            ..DataRequest::default()
        }
    }

    /// The command-line words that ask for this data, in the order `--items`/`--instrument`,
    /// `--scale`, `--form`, `--reverse`, `--scale-min`, `--scale-max`, `--listwise`, `--id`,
    /// read options; the data file first. `--study` is left to the caller (the report puts it
    /// last).
    pub fn args(&self) -> Vec<String> {
        let mut a = Vec::new();
        if let Some(d) = &self.data {
            a.push(d.display().to_string());
        }
        let mut flag = |name: &str, v: Option<String>| {
            if let Some(v) = v {
                a.push(format!("--{name}"));
                a.push(v);
            }
        };
        flag("items", self.items.clone());
        flag("instrument", self.instrument.clone());
        flag("scale", self.scale.clone());
        flag("form", self.form.clone());
        flag(
            "reverse",
            (!self.reverse.is_empty()).then(|| self.reverse.join(",")),
        );
        flag("scale-min", self.scale_min.map(|v| v.to_string()));
        flag("scale-max", self.scale_max.map(|v| v.to_string()));
        flag("id", self.id.clone());
        flag(
            "missing",
            (!self.read.missing.is_empty()).then(|| self.read.missing.join(",")),
        );
        flag(
            "delimiter",
            self.read.delimiter.map(|d| match d {
                b'\t' => "tab".to_string(),
                d => (d as char).to_string(),
            }),
        );
        flag("skip-rows", self.read.skip_rows.map(|v| v.to_string()));
        flag("sheet", self.read.sheet.clone());
        if self.listwise {
            a.push("--listwise".into());
        }
        a
    }

    /// A location naming the data file.
    pub fn at(&self) -> Location {
        Location::file(self.data.clone())
    }

    /// The data file.
    pub fn path(&self) -> Result<&Path> {
        self.data.as_deref().ok_or_else(|| {
            Error::option(
                "DATA",
                "give the data file (or --study FILE with --instrument)",
            )
        })
    }

    /// Opens the data file (CSV, `.sav`, `.zsav`, `.dta` or `.xlsx`, by extension) and reads its
    /// header.
    pub fn open(&self) -> Result<DataSource> {
        if let (None, Some(t)) = (&self.data, &self.table) {
            return Ok(DataSource::from_table(Table::clone(t), &self.read));
        }
        DataSource::open(self.path()?, &self.read)
    }

    /// The study, if one was named.
    fn load_study(&self) -> Result<Option<Study>> {
        self.study.as_deref().map(Study::load).transpose()
    }

    /// The instrument, if one was named: with a study, the instrument file the study names
    /// (resolved beside the study file), otherwise by id or path.
    pub fn instrument(&self) -> Result<Option<Instrument>> {
        let study = match &self.data {
            Some(_) => None,
            None => self.load_study()?,
        };
        self.instrument_in(study.as_ref())
    }

    fn instrument_in(&self, study: Option<&Study>) -> Result<Option<Instrument>> {
        let Some(name) = self.instrument.as_deref() else {
            return Ok(None);
        };
        let inst = match study {
            Some(s) => s.instrument(name)?,
            None => instrument::load(name)?,
        };
        if let Some(form) = &self.form {
            inst.require_form(form)?;
        }
        Ok(Some(inst))
    }

    /// The scale range given by hand.
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

    /// The data file to read (the study's dataset holding the instrument when no file was
    /// given), the instrument, and the form column and value to keep.
    #[allow(clippy::type_complexity)]
    fn source(&self) -> Result<(DataRequest, Option<Instrument>, Option<(String, String)>)> {
        if self.data.is_some()
            || self.memory.is_some()
            || self.table.is_some()
            || self.study.is_none()
        {
            return Ok((self.clone(), self.instrument_in(None)?, None));
        }
        let Some(study) = self.load_study()? else {
            return Err(Error::option("--study", "no study file given"));
        };
        let Some(inst) = self.instrument_in(Some(&study))? else {
            return Err(Error::option(
                "--instrument",
                "with --study, name the instrument whose data to use",
            ));
        };
        let ds = study.dataset_for_instrument(&inst)?;
        let mut read = self.clone();
        read.data = Some(study.path_of(ds));
        if ds.sheet.is_some() {
            read.read.sheet = ds.sheet.clone();
        }
        let filter = match (&ds.form, &self.form) {
            _ if self.all_forms => None,
            (Some(col), Some(form)) => Some((col.clone(), form.clone())),
            (Some(col), None) if inst.forms.iter().any(|f| f.id == "observer") => {
                Some((col.clone(), "observer".to_string()))
            }
            _ => None,
        };
        Ok((read, Some(inst), filter))
    }

    /// Reads the file once and returns each requested scale's data.
    pub fn load(&self) -> Result<Loaded> {
        self.load_with(&[])
    }

    /// What [`DataRequest::load_with`] reads: the opened source, the instrument, the form
    /// filter, the selections, the union of their columns, and the text columns.
    fn plan(&self, text: &[String]) -> Result<Plan<'_>> {
        let (read, inst, form_filter) = self.source()?;
        // an in-memory table is read in place (not through an owned DataSource)
        let table = match (&read.data, &self.memory) {
            (None, None) => self.table.as_deref(),
            _ => None,
        };
        let src = match (&self.memory, table) {
            (None, None) => Some(read.open()?),
            _ => None,
        };
        // the variable labels of a labelled file, by column
        let labels: Vec<Option<String>> = src
            .as_ref()
            .and_then(|s| s.table())
            .map(|t| t.columns.iter().map(|c| c.label.clone()).collect())
            .unwrap_or_default();
        let at = match table {
            Some(t) => Location::file(t.file.clone()),
            None => read.at(),
        };
        let header = match (&src, &self.memory, table) {
            (Some(src), _, _) => src.names().to_vec(),
            (None, Some(m), _) => m.names.clone(),
            (None, None, Some(t)) => t.names(),
            (None, None, None) => Vec::new(),
        };
        let all_items =
            (self.memory.is_some() || table.is_some()) && inst.is_none() && self.items.is_none();
        let mut sels: Vec<(String, Selection)> = match (&inst, &self.items) {
            (None, None) if all_items => vec![(
                "items".to_string(),
                Selection {
                    columns: (0..header.len()).collect(),
                    names: header.clone(),
                    reverse: vec![false; header.len()],
                    scale: self.hand_scale()?,
                },
            )],
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
        // without an instrument or a hand-given range, a labelled file's value labels define the
        // response scale: the labelled answers (declared missing codes left out), when every
        // selected item has the same
        if let (None, Some(table)) = (&inst, src.as_ref().and_then(|s| s.table()).or(table)) {
            for (_, sel) in &mut sels {
                if sel.scale.is_none() {
                    let ranges: Vec<Option<(f64, f64)>> = sel
                        .columns
                        .iter()
                        .map(|&c| table.columns.get(c).and_then(|c| c.labelled_range()))
                        .collect();
                    if let Some(Some(first)) = ranges.first() {
                        if first.0 < first.1 && ranges.iter().all(|r| *r == Some(*first)) {
                            sel.scale = Some(*first);
                        }
                    }
                }
            }
        }
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
        let column = |name: &String| -> Result<usize> {
            ItemSpec(vec![name.clone()])
                .resolve(&header, &at)?
                .first()
                .copied()
                .ok_or_else(|| Error::option("--items", format!("no column \"{name}\"")))
        };
        let mut text_cols: Vec<usize> = Vec::new();
        if let Some(name) = &self.id {
            text_cols.push(column(name)?);
        }
        for name in text {
            text_cols.push(column(name)?);
        }
        if let Some((col, _)) = &form_filter {
            text_cols.push(column(col)?);
        }
        crate::error::limits::count("items", union.len(), crate::error::limits::ITEMS)?;
        let reqs: Vec<ColumnRequest> = union
            .iter()
            .zip(&ranges)
            .map(|(&index, &range)| ColumnRequest { index, range })
            .collect();
        Ok(Plan {
            src,
            table,
            read_options: read.read.clone(),
            inst,
            form_filter,
            sels,
            union,
            reqs,
            text_cols,
            at,
            labels,
        })
    }

    /// [`DataRequest::load`], also reading the named columns as text (group ids, ...): one
    /// `Vec<String>` per name, row-aligned with every scale's data.
    pub fn load_with(&self, text: &[String]) -> Result<Loaded> {
        let Plan {
            src,
            table,
            read_options,
            inst,
            form_filter,
            mut sels,
            union,
            reqs,
            text_cols,
            at,
            labels,
        } = self.plan(text)?;
        let (mut all, mut texts) = match (src, &self.memory, table) {
            (Some(src), _, _) => src.read_text(&reqs, &text_cols)?,
            (None, None, Some(t)) => t.read_text(&reqs, &text_cols, &read_options)?,
            (None, Some(m), _) => {
                if !text_cols.is_empty() {
                    return Err(Error::option(
                        "--id",
                        "in-memory item data have no text columns (ids, groups, forms)",
                    ));
                }
                let data = m.columns(&union);
                for (j, range) in reqs.iter().map(|r| &r.range).enumerate() {
                    if let Some((lo, hi)) = range {
                        data.columns(&[j]).check_range(*lo, *hi)?;
                    }
                }
                (data, Vec::new())
            }
            (None, None, None) => return Err(Error::option("DATA", "no data given")),
        };
        if let Some((_, form)) = &form_filter {
            let forms = texts.pop().unwrap_or_default();
            let keep: Vec<bool> = forms.iter().map(|f| f == form).collect();
            if !keep.iter().any(|&k| k) {
                return Err(Error::option(
                    "--form",
                    format!("no rows of form \"{form}\" in {}", at),
                ));
            }
            all = all.filter_rows(&keep);
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
        all.check_magnitude()?;
        let form = self
            .form
            .clone()
            .or_else(|| form_filter.as_ref().map(|(_, f)| f.clone()));
        let scale_data = |name: String, sel: &Selection, mut data: ItemData| {
            sel.apply_reverse(&mut data);
            let text = sel
                .columns
                .iter()
                .zip(&sel.names)
                .map(|(&c, item)| {
                    let label = labels.get(c).and_then(|l| l.as_deref());
                    item_text(inst.as_ref(), form.as_deref(), item, label)
                })
                .collect();
            ScaleData {
                name,
                data,
                reversed: sel.reverse.clone(),
                text,
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
        Ok(Loaded {
            scales,
            instrument: inst,
            texts,
        })
    }

    /// Streams a CSV file once into each requested scale's sufficient statistics
    /// ([`PairSums`], reverse keys applied) instead of loading its rows: memory independent of
    /// the number of rows. An in-memory table (a DataFrame) gives the same sums column by column
    /// ([`Table::read_sums`]). `Ok(None)` when
    /// the data cannot be summed so ([`ItemData`] in memory, a study's form filter, a text
    /// column among the items, a reverse key whose scale end points are not whole numbers, or
    /// an answer that is not a whole number from −127 to 127): then use
    /// [`DataRequest::load`]. Errors are those of [`DataRequest::load`].
    pub fn load_sums(&self) -> Result<Option<LoadedSums>> {
        if self.memory.is_some() {
            return Ok(None);
        }
        let Plan {
            src,
            table,
            read_options,
            inst,
            form_filter,
            sels,
            union,
            reqs,
            text_cols: _,
            at,
            labels: _,
        } = self.plan(&[])?;
        if form_filter.is_some() {
            return Ok(None);
        }
        let mut specs = Vec::with_capacity(sels.len());
        for (_, sel) in &sels {
            let mut reverse = Vec::with_capacity(sel.columns.len());
            for &r in &sel.reverse {
                reverse.push(match (r, sel.scale) {
                    (false, _) => None,
                    (true, Some((lo, hi)))
                        if (lo + hi).fract() == 0.0 && (lo + hi).abs() <= 254.0 =>
                    {
                        Some((lo + hi) as i16)
                    }
                    (true, _) => return Ok(None),
                });
            }
            specs.push(SumsSpec {
                columns: sel
                    .columns
                    .iter()
                    .filter_map(|c| union.iter().position(|u| u == c))
                    .collect(),
                reverse,
            });
        }
        // a CSV file streamed; an in-memory table read column by column (a decoded .sav/.dta/
        // .xlsx file is read whole: its variable labels are the items' text)
        let streamed = match (src, table) {
            (Some(DataSource::Csv(src)), _) => src.read_sums(&reqs, &specs)?,
            (None, Some(table)) => table.read_sums(&reqs, &specs, &read_options)?,
            _ => None,
        };
        let Some(streamed) = streamed else {
            return Ok(None);
        };
        if streamed.rows == 0 {
            return Err(Error::Empty {
                at,
                what: "a header and no data rows".into(),
            });
        }
        let scales = sels
            .into_iter()
            .zip(streamed.scales)
            .map(|((name, sel), sums)| ScaleSums {
                text: sel
                    .names
                    .iter()
                    .map(|item| item_text(inst.as_ref(), self.form.as_deref(), item, None))
                    .collect(),
                name,
                names: sel.names,
                reversed: sel.reverse,
                sums,
            })
            .collect();
        Ok(Some(LoadedSums {
            scales,
            instrument: inst,
            at,
        }))
    }

    /// Reads named columns as text, one `Vec<Option<String>>` per column (`None` = missing),
    /// with the spreadsheet row number of each row. `flag` names the option in errors.
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
        let cols: Vec<usize> = ItemSpec(names.to_vec()).resolve(&header, &self.at())?;
        let (data, texts) = src.read_text(&[], &cols)?;
        let cols = texts
            .into_iter()
            .map(|c| {
                c.into_iter()
                    .map(|v| (!self.read.is_missing(&v)).then_some(v))
                    .collect()
            })
            .collect();
        Ok((cols, data.rows))
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
