//! Which factor of an exploratory solution stands for which subscale of an instrument, and
//! which items load where their subscale says they should not.
//!
//! # Method
//! For subscale $s$ with items $I_s$ and factor $f$, the match score is the mean absolute
//! pattern loading $m_{sf} = \frac{1}{|I_s|}\sum_{i \in I_s} |\lambda_{if}|$. Pairs are taken
//! greedily, highest $m_{sf}$ first, each subscale and each factor at most once (a subscale is
//! left without a factor when there are fewer factors than subscales). An item is then flagged
//! `weak` when its largest absolute loading is below the cut-off, else `foreign` when that
//! loading is on a factor other than the one its subscale was matched to.
//!
//! # Peer
//! None: psych reports loadings, not their match to an instrument's design; the greedy match
//! is ours and is what the report's Dimensionality section reads.

use nalgebra::DMatrix;
use serde::Serialize;

/// Which factor stands for which subscale.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct SubscaleFactor {
    /// The subscale id.
    pub subscale: String,
    /// 1-based factor, `None` (`null`) when no factor was left for it.
    pub factor: Option<usize>,
    /// The subscale's items' mean absolute loading on that factor.
    pub mean_abs_loading: Option<f64>,
}

/// Why an item is flagged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Flag {
    /// The item loads most on another subscale's factor.
    Foreign,
    /// No loading reaches the cut-off.
    Weak,
}

impl Flag {
    /// The name as the JSON and the tables write it.
    pub fn as_str(&self) -> &'static str {
        match self {
            Flag::Foreign => "foreign",
            Flag::Weak => "weak",
        }
    }
}

/// One item's verdict.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct ItemFlag {
    /// The item.
    pub item: String,
    /// Its subscale.
    pub subscale: Option<String>,
    /// 1-based factor with the largest absolute loading.
    pub primary_factor: usize,
    /// That loading.
    pub primary_loading: f64,
    /// `foreign`, `weak`, or `None` (`null`) for an item where it belongs.
    pub flag: Option<Flag>,
}

/// Matches factors to subscales and flags items (see the module documentation).
///
/// `loadings` has one row per item, `items` names them and `subscale_of` gives each item's
/// subscale id (subscales in order of first appearance); `cutoff` is the weakest loading an
/// item may have as its largest (0.30 in the command).
pub fn match_subscales(
    loadings: &DMatrix<f64>,
    items: &[String],
    subscale_of: &[String],
    cutoff: f64,
) -> (Vec<SubscaleFactor>, Vec<ItemFlag>) {
    let l = loadings;
    let k = l.ncols();
    let p = l.nrows().min(subscale_of.len());
    let mut subs: Vec<&String> = Vec::new();
    for s in &subscale_of[..p] {
        if !subs.contains(&s) {
            subs.push(s);
        }
    }
    let score = |s: &str, f: usize| {
        let rows: Vec<usize> = (0..p).filter(|&i| subscale_of[i] == s).collect();
        rows.iter().map(|&i| l[(i, f)].abs()).sum::<f64>() / rows.len().max(1) as f64
    };
    let mut pairs: Vec<(f64, usize, usize)> = Vec::new();
    for (si, s) in subs.iter().enumerate() {
        for f in 0..k {
            pairs.push((score(s, f), si, f));
        }
    }
    pairs.sort_by(|a, b| b.0.total_cmp(&a.0));
    let mut factor_of: Vec<Option<(usize, f64)>> = vec![None; subs.len()];
    let mut used = vec![false; k];
    for (sc, si, f) in pairs {
        if factor_of[si].is_none() && !used[f] {
            factor_of[si] = Some((f, sc));
            used[f] = true;
        }
    }
    let matched = subs
        .iter()
        .zip(&factor_of)
        .map(|(s, fo)| SubscaleFactor {
            subscale: s.to_string(),
            factor: fo.map(|x| x.0 + 1),
            mean_abs_loading: fo.map(|x| x.1),
        })
        .collect();
    let flags = (0..p)
        .map(|i| {
            let (pf, pl) = (0..k)
                .map(|f| (f, l[(i, f)]))
                .max_by(|a, b| a.1.abs().total_cmp(&b.1.abs()))
                .unwrap_or((0, 0.0));
            let si = subs.iter().position(|s| **s == subscale_of[i]);
            let intended = si.and_then(|si| factor_of[si]).map(|x| x.0);
            let flag = if pl.abs() < cutoff {
                Some(Flag::Weak)
            } else if intended.is_some_and(|f| f != pf) {
                Some(Flag::Foreign)
            } else {
                None
            };
            ItemFlag {
                item: items.get(i).cloned().unwrap_or_default(),
                subscale: si.map(|_| subscale_of[i].clone()),
                primary_factor: pf + 1,
                primary_loading: pl,
                flag,
            }
        })
        .collect();
    (matched, flags)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn factors_go_to_the_subscales_whose_items_load_on_them() {
        // items a1, a2 on F2; b1 on F1, b2 weak everywhere
        let l = DMatrix::from_row_slice(4, 2, &[0.1, 0.7, 0.2, 0.6, 0.8, 0.1, 0.2, 0.25]);
        let items: Vec<String> = ["a1", "a2", "b1", "b2"].map(String::from).to_vec();
        let subs: Vec<String> = ["a", "a", "b", "b"].map(String::from).to_vec();
        let (m, f) = match_subscales(&l, &items, &subs, 0.3);
        assert_eq!(m[0].factor, Some(2));
        assert_eq!(m[1].factor, Some(1));
        assert!((m[0].mean_abs_loading.unwrap() - 0.65).abs() < 1e-12);
        assert_eq!(f[0].flag, None);
        assert_eq!(f[3].flag, Some(Flag::Weak));
        assert_eq!(f[3].primary_factor, 2);
        // one factor for two subscales: the weaker subscale is left without one
        let l1 = DMatrix::from_row_slice(4, 1, &[0.7, 0.6, 0.5, 0.5]);
        let (m, f) = match_subscales(&l1, &items, &subs, 0.3);
        assert_eq!(m[1].factor, None);
        assert_eq!(f[2].flag, None);
        // b1 loading on a's factor is foreign
        let l2 = DMatrix::from_row_slice(4, 2, &[0.7, 0.1, 0.6, 0.1, 0.5, 0.2, 0.1, 0.9]);
        let (_, f) = match_subscales(&l2, &items, &subs, 0.3);
        assert_eq!(f[2].flag, Some(Flag::Foreign));
        assert_eq!(serde_json::to_value(f[2].flag).unwrap(), "foreign");
    }
}
