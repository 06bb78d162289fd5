//! Tables of within-group agreement: one per scale.

use super::{num, opt, Report, Table};
use crate::agreement::rwg::RwgResult;
use crate::analysis::rwg::RwgOutput;

impl Report for RwgOutput {
    fn tables(&self) -> Vec<Table> {
        self.scales
            .iter()
            .map(|s| scale_table(&s.scale, &s.result))
            .collect()
    }
}

/// The table of one scale.
pub fn scale_table(name: &str, r: &RwgResult) -> Table {
    let mut summary = vec![
        format!(
            "{} respondents in {} groups, {} items, null variance {}",
            r.n,
            r.n_groups,
            r.k,
            num(r.null_variance, 3)
        ),
        format!(
            "rwg(j): mean {}, median {}, {}% of groups >= cut-off; AD mean {}",
            num(r.mean_rwg_j, 3),
            num(r.median_rwg_j, 3),
            (r.share_rwg_j_above * 100.0).round(),
            num(r.mean_ad, 3)
        ),
        format!(
            "ICC(1) = {}, F({}, {}) = {}, p = {}; ICC(2) = {}",
            num(r.icc1, 3),
            r.anova.df1,
            r.anova.df2,
            num(r.anova.f, 2),
            num(r.anova.p, 4),
            num(r.icc2, 3)
        ),
        format!(
            "aggregation {}:",
            if r.aggregation.supported {
                "supported"
            } else {
                "not supported"
            }
        ),
    ];
    summary.extend(r.aggregation.reasons.iter().map(|s| format!("  {s}")));
    if let Some(g) = &r.random_groups {
        summary.push(format!(
            "random groups ({}): mean variance {} vs {} in real groups, z = {}; pseudo-group rwg(j) mean {}, 95th percentile {}",
            g.n_random_groups,
            num(g.mean_random_variance, 3),
            num(g.mean_group_variance, 3),
            num(g.z, 2),
            num(g.mean_random_rwg_j, 3),
            num(g.random_rwg_j_p95, 3)
        ));
    }
    Table {
        title: format!("Within-group agreement: {name}"),
        summary,
        columns: ["group", "n", "mean", "rwg(j)", "AD (mean)", "AD (median)"]
            .map(String::from)
            .to_vec(),
        rows: r
            .groups
            .iter()
            .map(|g| {
                vec![
                    g.group.clone(),
                    g.n.to_string(),
                    num(g.mean, 2),
                    opt(g.rwg_j, 3),
                    opt(g.ad_mean, 3),
                    opt(g.ad_median, 3),
                ]
            })
            .collect(),
        notes: Vec::new(),
    }
}
