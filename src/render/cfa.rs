//! Tables of a CFA: fit and parameter estimates, construct validity, modification indices and
//! measurement invariance.

use super::{num, opt, Report, Table};
use crate::analysis::cfa::CfaOutput;
use crate::analysis::text_of;

impl Report for CfaOutput {
    fn tables(&self) -> Vec<Table> {
        let r = &self.result;
        let f = &r.fit;
        let mut summary = vec![format!(
            "n = {}, estimator {}, {} after {} iterations, {} free parameters",
            r.n,
            r.estimator.to_uppercase(),
            if r.converged {
                "converged"
            } else {
                "NOT converged"
            },
            r.iterations,
            f.npar
        )];
        for g in &r.groups {
            summary.push(format!("group {} = {} (n = {})", g.group, g.label, g.n));
        }
        summary.push(format!(
            "chi2({}) = {}, p = {}{}",
            f.df,
            num(f.chisq, 3),
            opt(f.pvalue, 4),
            f.scaling_factor
                .map(|c| format!(" (Yuan-Bentler scaled, scaling factor {})", num(c, 3)))
                .unwrap_or_default()
        ));
        summary.push(format!(
            "{}CFI = {}, TLI = {}, RMSEA = {} [{}, {}]; SRMR = {}",
            if f.scaling_factor.is_some() {
                "robust "
            } else {
                ""
            },
            opt(f.cfi, 3),
            opt(f.tli, 3),
            opt(f.rmsea, 3),
            opt(f.rmsea_ci.map(|c| c[0]), 3),
            opt(f.rmsea_ci.map(|c| c[1]), 3),
            num(f.srmr, 3),
        ));
        if let (Some(l), Some(a), Some(b)) = (f.loglik, f.aic, f.bic) {
            summary.push(format!(
                "logLik = {}, AIC = {}, BIC = {}",
                num(l, 3),
                num(a, 3),
                num(b, 3)
            ));
        }
        let multi = !r.groups.is_empty();
        let mut columns: Vec<String> = Vec::new();
        if multi {
            columns.push("group".into());
        }
        columns.extend(["lhs", "op", "rhs", "est", "se", "z", "p", "std.all"].map(String::from));
        // the items' wording beside their loadings, when there is any
        let worded = !self.item_text.is_empty();
        if worded {
            columns.push("text".into());
        }
        let rows = r
            .parameters
            .iter()
            .map(|p| {
                let mut row = Vec::new();
                if let Some(g) = p.group {
                    row.push(g.to_string());
                }
                row.extend([
                    p.lhs.clone(),
                    p.op.as_str().to_string(),
                    p.rhs.clone(),
                    num(p.est, 3),
                    if p.free { opt(p.se, 3) } else { String::new() },
                    if p.free { opt(p.z, 3) } else { String::new() },
                    if p.free { opt(p.p, 3) } else { String::new() },
                    opt(p.std_all, 3),
                ]);
                if worded {
                    let text = (p.op.as_str() == "=~")
                        .then(|| text_of(&self.item_text, &p.rhs))
                        .flatten();
                    row.push(text.unwrap_or_default().to_string());
                }
                row
            })
            .collect();
        let mut out = vec![Table {
            title: "Confirmatory factor analysis".into(),
            summary,
            columns,
            rows,
            notes: vec!["Fixed parameters have no se, z or p.".into()],
        }];
        if let Some(val) = &r.validity {
            let rows = val
                .factors
                .iter()
                .map(|fv| {
                    vec![
                        fv.factor.clone(),
                        fv.items.len().to_string(),
                        opt(fv.cr, 3),
                        opt(fv.ave, 3),
                        opt(fv.sqrt_ave, 3),
                        opt(fv.max_factor_correlation, 3),
                        fv.fornell_larcker
                            .map_or("NA".into(), |b| if b { "yes" } else { "no" }.to_string()),
                    ]
                })
                .collect();
            let notes = val
                .htmt
                .iter()
                .map(|h| {
                    format!(
                        "HTMT {}-{}: {}{}",
                        h.factor1,
                        h.factor2,
                        opt(h.htmt, 3),
                        if h.above_cutoff == Some(true) {
                            format!(" (above {})", num(val.htmt_cutoff, 2))
                        } else {
                            String::new()
                        }
                    )
                })
                .collect();
            out.push(Table {
                title: "Construct validity".into(),
                summary: vec![],
                columns: [
                    "factor",
                    "items",
                    "CR",
                    "AVE",
                    "sqrt(AVE)",
                    "max |r|",
                    "Fornell-Larcker",
                ]
                .map(String::from)
                .to_vec(),
                rows,
                notes,
            });
        }
        if let Some(mi) = &r.mi {
            let rows = mi
                .iter()
                .take(20)
                .map(|m| {
                    vec![
                        m.lhs.clone(),
                        m.op.as_str().to_string(),
                        m.rhs.clone(),
                        num(m.mi, 3),
                        num(m.epc, 3),
                        opt(m.sepc_all, 3),
                    ]
                })
                .collect();
            out.push(Table {
                title: "Modification indices (largest 20)".into(),
                summary: vec![],
                columns: ["lhs", "op", "rhs", "mi", "epc", "sepc.all"]
                    .map(String::from)
                    .to_vec(),
                rows,
                notes: vec![],
            });
        }
        if let Some(inv) = &self.invariance {
            let rows = inv
                .steps
                .iter()
                .map(|s| {
                    vec![
                        s.model.clone(),
                        num(s.chisq, 2),
                        s.df.to_string(),
                        opt(s.cfi, 3),
                        opt(s.rmsea, 3),
                        s.chisq_diff.map_or(String::new(), |x| num(x, 2)),
                        s.df_diff.map_or(String::new(), |d| d.to_string()),
                        s.p_diff.map_or(String::new(), |x| num(x, 4)),
                        s.delta_cfi.map_or(String::new(), |x| num(x, 3)),
                        s.delta_rmsea.map_or(String::new(), |x| num(x, 3)),
                        s.holds.map_or(String::new(), |h| {
                            if h { "holds" } else { "fails" }.to_string()
                        }),
                    ]
                })
                .collect();
            out.push(Table {
            title: format!("Measurement invariance: {} invariance supported", inv.level),
            summary: vec![],
            columns: ["model", "chi2", "df", "CFI", "RMSEA", "dchi2", "ddf", "p", "dCFI", "dRMSEA", "verdict"]
                .map(String::from)
                .to_vec(),
            rows,
            notes: vec![format!(
                "A step holds when CFI drops by at most {} and RMSEA rises by at most {} (Chen, 2007).",
                num(inv.delta_cfi_cutoff, 3),
                num(inv.delta_rmsea_cutoff, 3)
            )],
        });
        }
        out
    }
}
