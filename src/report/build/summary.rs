//! The report's frame: the summary of verdicts (first) and the warnings (last).

use crate::report::verdict::Level;
use crate::report::{ApaTable, Block, Section};

/// The verdicts at a glance: per section how many are good, fair and poor, and every fair or
/// poor one in full (what needs attention).
pub(super) fn summary_section(sections: &[Section], failed: &[String]) -> Section {
    let mut rows = Vec::new();
    let mut attention = Vec::new();
    for sec in sections {
        let mut counts = [0usize; 3];
        // a verdict is named by its section and the heading it stands under
        let mut heading = String::new();
        for b in &sec.blocks {
            match b {
                Block::Heading(h) => heading = h.clone(),
                Block::Verdict(level, text) => {
                    let k = match level {
                        Level::Good => 0,
                        Level::Fair => 1,
                        Level::Poor => 2,
                        Level::Info => continue,
                    };
                    counts[k] += 1;
                    if k > 0 {
                        let place = if heading.is_empty() {
                            sec.title.clone()
                        } else {
                            format!("{}, {heading}", sec.title)
                        };
                        attention.push(Block::Verdict(*level, format!("{place}: {text}")));
                    }
                }
                _ => {}
            }
        }
        if counts.iter().sum::<usize>() > 0 {
            rows.push(vec![
                sec.title.clone(),
                counts[0].to_string(),
                counts[1].to_string(),
                counts[2].to_string(),
            ]);
        }
    }
    let mut blocks = vec![
        Block::Para("Each verdict below compares a statistic with a published cut-off, named in its section. Good: meets the usual standard; fair: usable with care; poor: below the usual standard.".into()),
        Block::Table(ApaTable {
            title: "Verdicts by section".into(),
            header: ["Section", "Good", "Fair", "Poor"].map(String::from).to_vec(),
            rows,
            note: None,
        }),
    ];
    attention.extend(
        failed
            .iter()
            .map(|f| Block::Verdict(Level::Poor, format!("Analysis failed: {f}"))),
    );
    if attention.is_empty() {
        blocks.push(Block::Verdict(
            Level::Good,
            "Every verdict meets its cut-off.".into(),
        ));
    } else {
        blocks.push(Block::Heading("What needs attention".into()));
        blocks.extend(attention);
    }
    Section {
        id: "summary".into(),
        title: "Summary".into(),
        blocks,
    }
}

pub(super) fn warnings_section(warnings: &[String]) -> Section {
    let mut blocks = vec![Block::Para(format!(
        "{} warnings were raised by the analyses (Heywood cases, listwise deletion, non-convergence, …). They do not stop the report but qualify the numbers they name.",
        warnings.len()
    ))];
    blocks.extend(warnings.iter().map(|w| Block::Warning(w.clone())));
    Section {
        id: "warnings".into(),
        title: "Warnings".into(),
        blocks,
    }
}
