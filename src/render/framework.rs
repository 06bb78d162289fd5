//! Tables of `framework`: the verdicts, then each claim's numbers.

use super::format::{ci_plain, num, opt, p_plain, p_plain_cell};
use super::{Report, Table};
use crate::analysis::framework::FrameworkOutput;
use crate::framework::{ClaimVerdict, Estimate};

/// An estimate with its interval: `0.123 [0.010, 0.240]`.
fn est(e: &Estimate, d: usize) -> String {
    match (e.estimate, e.ci) {
        (Some(v), Some(c)) => format!("{} {}", num(v, d), ci_plain(c[0], c[1], d)),
        (Some(v), None) => num(v, d),
        _ => "NA".into(),
    }
}

fn verdict_row(v: &ClaimVerdict) -> Vec<String> {
    vec![
        v.claim.label().to_string(),
        v.subject.clone(),
        v.verdict.word().to_string(),
        opt(v.estimate, 3),
        v.ci.map_or("NA".into(), |c| ci_plain(c[0], c[1], 3)),
        v.n.map_or("NA".into(), |n| n.to_string()),
    ]
}

impl Report for FrameworkOutput {
    fn tables(&self) -> Vec<Table> {
        let mut out = Vec::new();
        let mut notes: Vec<String> = Vec::new();
        for v in &self.verdicts {
            let line = match &v.reason {
                Some(r) => format!("{}: {} ({r})", v.subject, v.statement),
                None => format!("{}: {} — {}", v.subject, v.statement, v.method),
            };
            notes.push(line);
        }
        out.push(Table {
            title: format!("Framework claims: {} ({})", self.study, self.predictor),
            summary: vec![format!(
                "{} groups; supported / not supported / contrary: the interval lies on the claimed side of zero / covers zero / lies on the other side",
                self.n_groups
            )],
            columns: ["claim", "subject", "verdict", "estimate", "95% CI", "n"]
                .map(String::from)
                .to_vec(),
            rows: self.verdicts.iter().map(verdict_row).collect(),
            notes,
        });
        if let Some(d) = &self.differential {
            let [a, c] = self
                .trust_outcomes
                .clone()
                .unwrap_or_else(|| ["affective".into(), "cognitive".into()]);
            out.push(Table {
                title: "Claim 1: differential prediction of affective and cognitive trust".into(),
                summary: vec![
                    format!("{} groups; affective = {a}, cognitive = {c}; r between them = {}", d.n, num(d.r_outcomes, 3)),
                    format!(
                        "R² on all competencies: affective {}, cognitive {}",
                        num(d.r2_affective, 3),
                        num(d.r2_cognitive, 3)
                    ),
                ],
                columns: [
                    "competency", "claim", "r aff", "r cog", "r aff - r cog", "t", "p",
                    "beta aff - beta cog", "GDW aff - GDW cog", "verdict",
                ]
                .map(String::from)
                .to_vec(),
                rows: d
                    .competencies
                    .iter()
                    .map(|k| {
                        vec![
                            k.competency.clone(),
                            k.claim.map_or("-".into(), |c| c.word().to_string()),
                            opt(k.r_affective.estimate, 3),
                            opt(k.r_cognitive.estimate, 3),
                            est(&k.r_diff, 3),
                            k.test.map_or("NA".into(), |t| num(t.t, 2)),
                            k.test.map_or("NA".into(), |t| p_plain_cell(t.p)),
                            est(&k.beta_diff, 3),
                            est(&k.dominance_diff, 3),
                            k.verdict.map_or("-".into(), |v| v.word().to_string()),
                        ]
                    })
                    .collect(),
                notes: vec![
                    format!(
                        "intervals: r aff - r cog {0:.0}% Zou (2007) for dependent overlapping correlations; the others {0:.0}% percentile bootstrap over groups ({1} resamples, {2} usable, seed {3})",
                        100.0 * d.bootstrap.ci,
                        d.bootstrap.resamples,
                        d.bootstrap.usable,
                        d.bootstrap.seed
                    ),
                    format!("t, p: Williams' test of dependent correlations (Steiger, 1980), df = {}", d.n.saturating_sub(3)),
                    "beta: standardised weights with all competencies in the model; GDW: general dominance weight".into(),
                ],
            });
            out.push(Table {
                title: "Claim 1: claimed sets".into(),
                summary: Vec::new(),
                columns: ["set", "competencies", "R² claimed", "R² other", "difference", "verdict"]
                    .map(String::from)
                    .to_vec(),
                rows: d
                    .joint
                    .iter()
                    .map(|j| {
                        vec![
                            j.set.word().to_string(),
                            j.competencies.join(", "),
                            est(&j.r2_claimed, 3),
                            est(&j.r2_other, 3),
                            est(&j.diff, 3),
                            j.verdict.word().to_string(),
                        ]
                    })
                    .collect(),
                notes: vec!["difference: R² of the claimed kind of trust minus R² of the other, on the set's competencies".into()],
            });
        }
        if let Some(r) = &self.risks {
            let mut columns = vec!["competency".to_string()];
            columns.extend(r.risks.iter().cloned());
            let rows = r
                .competencies
                .iter()
                .map(|c| {
                    let mut row = vec![c.clone()];
                    for risk in &r.risks {
                        let cell = r
                            .links
                            .iter()
                            .find(|l| &l.competency == c && &l.risk == risk)
                            .map_or("NA".into(), |l| {
                                let v = opt(l.partial_r.estimate, 2);
                                if l.claimed {
                                    format!("{v}*")
                                } else {
                                    v
                                }
                            });
                        row.push(cell);
                    }
                    row
                })
                .collect();
            out.push(Table {
                title: "Claim 2: competencies and risks (partial correlations)".into(),
                summary: vec![
                    format!("{} groups; each competency partialled on the others", r.n),
                    format!(
                        "mean strength (negated Fisher z), claimed {} vs unclaimed {}: difference {}",
                        est(&r.strength_claimed, 3),
                        est(&r.strength_unclaimed, 3),
                        est(&r.diff, 3)
                    ),
                ],
                columns,
                rows,
                notes: vec![
                    "* a link the competency's metadata claim; a negative partial correlation means less concern about the risk".into(),
                    format!(
                        "intervals: {:.0}% percentile bootstrap over groups ({} resamples, seed {}); per-link intervals in --json",
                        100.0 * r.bootstrap.ci,
                        r.bootstrap.resamples,
                        r.bootstrap.seed
                    ),
                ],
            });
        }
        if let Some(s) = &self.specialisation {
            let mut summary = vec![
                format!(
                    "{} leaders, {} collaborators' ratings; reliability of within-leader differences {}",
                    s.n_leaders,
                    s.n_ratings,
                    est(&s.reliability, 3)
                ),
                format!(
                    "leader x subscale F({}, {}) = {}, {}",
                    num(s.df1, 0),
                    num(s.df2, 0),
                    num(s.f, 2),
                    p_plain(s.p)
                ),
                format!(
                    "leaders with a reliable strength: {} of {} ({}%; one-sided t > {} at alpha {} / {} subscales)",
                    s.strengths.leaders_with_strength,
                    s.n_leaders,
                    num(100.0 * s.strengths.share, 0),
                    num(s.strengths.critical_t, 2),
                    num(s.strengths.alpha, 2),
                    s.subscales.len()
                ),
            ];
            summary.push(format!(
                "strengths per subscale: {}",
                s.strengths
                    .per_subscale
                    .iter()
                    .map(|x| format!("{} {}", x.subscale, x.leaders))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
            let p = &s.profiles;
            let mut rows = Vec::new();
            for m in &p.models {
                for f in &m.fits {
                    let best = m.best == Some(f.classes);
                    rows.push(vec![
                        m.model.name().to_string(),
                        f.classes.to_string(),
                        opt(f.loglik, 2),
                        f.npar.to_string(),
                        format!("{}{}", opt(f.bic, 2), if best { " <" } else { "" }),
                        opt(f.entropy, 3),
                        f.sizes
                            .iter()
                            .map(|v| v.to_string())
                            .collect::<Vec<_>>()
                            .join("/"),
                    ]);
                }
            }
            let mut notes = vec![format!(
                "latent profiles of the leaders' subscale means: EM from {} seeded random starts; BIC = -2 loglik + npar ln n (lower is better; < marks each model's lowest)",
                p.starts
            )];
            if let Some(best) = p.best_fit() {
                notes.push(format!(
                    "lowest BIC: {} with {} classes; class means ({}):",
                    p.best_model.map_or("", |m| m.name()),
                    best.classes,
                    p.variables.join(", ")
                ));
                for (k, m) in best.means.iter().enumerate() {
                    notes.push(format!(
                        "  class {} ({}%): {}",
                        k + 1,
                        num(100.0 * best.proportions[k], 0),
                        m.iter().map(|v| num(*v, 2)).collect::<Vec<_>>().join(" ")
                    ));
                }
            }
            out.push(Table {
                title: "Claim 3: specialisation".into(),
                summary,
                columns: [
                    "model", "classes", "loglik", "npar", "BIC", "entropy", "sizes",
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
