//! Tables of `evaluate`: per subscale and source, attrition, change within each arm, the
//! program effect and reliable change; then the self-other gap.

use super::format::{ci_plain, p_plain_cell};
use super::{num, opt, Report, Table};
use crate::analysis::evaluate::EvaluateOutput;

fn ci(c: Option<[f64; 2]>, d: usize) -> String {
    c.map_or_else(|| "NA".into(), |[l, u]| ci_plain(l, u, d))
}

impl Report for EvaluateOutput {
    fn tables(&self) -> Vec<Table> {
        let d = &self.design;
        let mut out = Vec::new();
        for s in &self.scales {
            let r = &s.result;
            let mut summary = vec![format!(
                "{} -> {}; unit: {}; attrition: {}",
                d.baseline,
                d.followup,
                r.unit,
                r.attrition
                    .iter()
                    .map(|a| format!(
                        "{} {}/{} retained ({}), drop-outs' baseline d = {} {}",
                        a.arm,
                        a.n_baseline - a.n_dropouts,
                        a.n_baseline,
                        opt(a.retained, 2),
                        opt(a.dropout_d, 2),
                        ci(a.dropout_d_ci, 2)
                    ))
                    .collect::<Vec<_>>()
                    .join("; ")
            )];
            match &r.effect {
                Some(e) => summary.push(format!(
                    "program effect ({}, {} errors, n = {}): {} {}, p {}; did = {}, d_ppc2 = {} {}",
                    e.method,
                    e.se_type,
                    e.n,
                    num(e.estimate, 3),
                    ci_plain(e.ci[0], e.ci[1], 3),
                    p_plain_cell(e.p),
                    opt(e.did, 3),
                    opt(e.d_ppc2, 2),
                    ci(e.d_ppc2_ci, 2)
                )),
                None if d.comparison.is_some() => {
                    summary.push("program effect: not estimable".into())
                }
                None => summary.push("program effect: no comparison arm".into()),
            }
            if let Some(a) = r.effect.as_ref().and_then(|e| e.adjusted.as_ref()) {
                summary.push(format!(
                    "adjusted test ({}, {} errors{}): {} {}, p {}",
                    a.model,
                    a.se_type,
                    a.df.map_or_else(String::new, |df| format!(", df = {}", num(df, 1))),
                    num(a.estimate, 3),
                    ci_plain(a.ci[0], a.ci[1], 3),
                    p_plain_cell(a.p)
                ));
            }
            if let Some(rc) = &r.reliable_change {
                summary.push(format!(
                    "reliable change ({} = {}, se_diff = {}): {}",
                    rc.reliability_method,
                    num(rc.reliability, 3),
                    num(rc.se_diff, 3),
                    rc.by_arm
                        .iter()
                        .map(|b| format!(
                            "{} {} improved, {} unchanged, {} deteriorated",
                            b.arm, b.improved, b.unchanged, b.deteriorated
                        ))
                        .collect::<Vec<_>>()
                        .join("; ")
                ));
            }
            out.push(Table {
                title: format!("{} {} ({})", s.instrument, s.scale, r.source.name()),
                summary,
                columns: [
                    "arm", "n", "M pre", "SD pre", "M post", "SD post", "change", "t", "df", "p",
                    "r", "d_z", "d_av", "95% CI", "g_av",
                ]
                .map(String::from)
                .to_vec(),
                rows: r
                    .within
                    .iter()
                    .map(|w| {
                        vec![
                            w.arm.clone(),
                            w.n_paired.to_string(),
                            opt(w.mean_baseline, 2),
                            opt(w.sd_baseline, 2),
                            opt(w.mean_followup, 2),
                            opt(w.sd_followup, 2),
                            opt(w.mean_change, 3),
                            opt(w.t, 2),
                            opt(w.df, 0),
                            w.p.map_or_else(|| "NA".into(), p_plain_cell),
                            opt(w.r_test_retest, 2),
                            opt(w.d_z, 2),
                            opt(w.d_av, 2),
                            ci(w.d_av_ci, 2),
                            opt(w.g_av, 2),
                        ]
                    })
                    .collect(),
                notes: r
                    .warnings
                    .iter()
                    .map(|w| format!("warning: {}", w.message))
                    .collect(),
            });
        }
        if !self.self_other_gap.is_empty() {
            let mut rows = Vec::new();
            let mut notes = Vec::new();
            for g in &self.self_other_gap {
                for a in &g.by_arm {
                    rows.push(vec![
                        format!("{} {}", g.instrument, g.scale),
                        a.arm.clone(),
                        a.n.to_string(),
                        opt(a.gap_baseline, 2),
                        opt(a.gap_followup, 2),
                        opt(a.mean_change, 3),
                        a.p.map_or_else(|| "NA".into(), p_plain_cell),
                        opt(a.abs_gap_baseline, 2),
                        opt(a.abs_gap_followup, 2),
                    ]);
                }
                if let Some(df) = &g.difference {
                    notes.push(format!(
                        "{} {}: program - comparison change in the gap {} {}, p {}",
                        g.instrument,
                        g.scale,
                        num(df.estimate, 3),
                        ci_plain(df.ci[0], df.ci[1], 3),
                        p_plain_cell(df.p)
                    ));
                }
            }
            out.push(Table {
                title: "Self-other gap (self - collaborators' mean)".into(),
                summary: Vec::new(),
                columns: [
                    "scale",
                    "arm",
                    "n",
                    "gap pre",
                    "gap post",
                    "change",
                    "p",
                    "|gap| pre",
                    "|gap| post",
                ]
                .map(String::from)
                .to_vec(),
                rows,
                notes,
            });
        }
        out
    }
}
