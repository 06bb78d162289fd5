//! Loading instruments by id or path.
//!
//! Lookup order for `ID_OR_PATH`: an existing file path; `instruments/ID.toml` under the current
//! folder; `$TRUSTSCALE_INSTRUMENTS/ID.toml`; the instruments shipped in this crate's
//! `instruments/` folder, built into the library.

use super::check::check;
use super::schema::Instrument;
use crate::error::{line_col, Error, Result};
use std::path::{Path, PathBuf};

/// The shipped instruments (id, TOML text).
const BUILTIN: [(&str, &str); 5] = [
    ("tblc", include_str!("../../instruments/tblc.toml")),
    ("abi", include_str!("../../instruments/abi.toml")),
    (
        "group-trust",
        include_str!("../../instruments/group-trust.toml"),
    ),
    (
        "collective-risk",
        include_str!("../../instruments/collective-risk.toml"),
    ),
    (
        "group-self-assessment",
        include_str!("../../instruments/group-self-assessment.toml"),
    ),
];

/// Ids of the shipped instruments.
pub fn builtin_ids() -> Vec<&'static str> {
    BUILTIN.iter().map(|(id, _)| *id).collect()
}

/// Parses and checks an instrument from TOML text; `file` names it in errors.
pub fn load_str(text: &str, file: &Path) -> Result<Instrument> {
    let inst: Instrument = toml::from_str(text).map_err(|e| {
        let (line, col) = e
            .span()
            .map(|s| line_col(text, s.start))
            .map_or((None, None), |(l, c)| (Some(l), Some(c)));
        Error::Instrument {
            file: file.to_path_buf(),
            line,
            col,
            msg: e.message().trim().to_string(),
        }
    })?;
    check(&inst, text, file)?;
    Ok(Instrument {
        file: Some(file.to_path_buf()),
        ..inst
    })
}

/// Finds and loads an instrument by path or id.
pub fn load(id_or_path: &str) -> Result<Instrument> {
    let p = Path::new(id_or_path);
    let looks_like_path = id_or_path.ends_with(".toml") || id_or_path.contains('/');
    if p.is_file() {
        return load_file(p);
    }
    if !looks_like_path {
        let mut dirs: Vec<PathBuf> = vec![PathBuf::from("instruments")];
        if let Some(d) = std::env::var_os("TRUSTSCALE_INSTRUMENTS") {
            dirs.push(PathBuf::from(d));
        }
        for d in dirs {
            let f = d.join(format!("{id_or_path}.toml"));
            if f.is_file() {
                return load_file(&f);
            }
        }
        if let Some((id, text)) = BUILTIN.iter().find(|(id, _)| *id == id_or_path) {
            let mut inst = load_str(text, Path::new(&format!("instruments/{id}.toml")))?;
            inst.file = None;
            return Ok(inst);
        }
    }
    Err(Error::option(
        "--instrument",
        format!(
            "no instrument \"{id_or_path}\": not a file, and not one of the shipped ids ({})",
            builtin_ids().join(", ")
        ),
    ))
}

/// Loads and checks an instrument file.
pub fn load_file(p: &Path) -> Result<Instrument> {
    let text = crate::error::limits::read_text(p)?;
    load_str(&text, p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_instrument_loads_and_checks() {
        for id in builtin_ids() {
            let inst = load(id).unwrap();
            assert_eq!(inst.id, id);
            assert!(inst.items.len() >= 12, "{id}");
        }
    }

    #[test]
    fn syntax_error_names_line_and_column() {
        let e = load_str("id = \"x\"\ntitle = \n", Path::new("bad.toml")).unwrap_err();
        let msg = e.to_string();
        assert!(msg.starts_with("bad.toml: line 2, column"), "{msg}");
    }
}
