//! Cohen's kappa (unweighted and weighted) for two raters and Fleiss' kappa for more.

use crate::dist::normal_quantile;
use crate::error::{Error, Result, Warning, WarningCode};
use serde::Serialize;

/// Agreement weights of Cohen's weighted kappa.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Weights {
    /// Unweighted: credit only for exact agreement.
    #[default]
    None,
    /// $w_{ij} = 1 - |i-j|/(K-1)$.
    Linear,
    /// $w_{ij} = 1 - (i-j)^2/(K-1)^2$.
    Quadratic,
}

impl Weights {
    /// The name `--weights` takes (`none`, `linear`, `quadratic`).
    pub fn as_str(&self) -> &'static str {
        match self {
            Weights::None => "none",
            Weights::Linear => "linear",
            Weights::Quadratic => "quadratic",
        }
    }
}

impl std::str::FromStr for Weights {
    type Err = Error;

    /// `none`, `linear` or `quadratic`.
    ///
    /// # Errors
    /// [`Error::InvalidOption`] (`--weights`) for anything else.
    fn from_str(s: &str) -> Result<Weights> {
        match s {
            "none" => Ok(Weights::None),
            "linear" => Ok(Weights::Linear),
            "quadratic" => Ok(Weights::Quadratic),
            other => Err(Error::option(
                "--weights",
                format!("expected none, linear or quadratic, found \"{other}\""),
            )),
        }
    }
}

/// Options of [`cohen_kappa`]; defaults as psych::cohen.kappa (2.2.9): unweighted, 95% interval.
#[derive(Debug, Clone)]
pub struct KappaOptions {
    /// Weights.
    pub weights: Weights,
    /// Confidence level.
    pub ci: f64,
}

impl Default for KappaOptions {
    fn default() -> Self {
        KappaOptions {
            weights: Weights::None,
            ci: 0.95,
        }
    }
}

impl KappaOptions {
    /// Rejects unusable options.
    pub fn validate(&self) -> Result<()> {
        if !(self.ci > 0.0 && self.ci < 1.0) {
            return Err(Error::option("--ci", "expected a level between 0 and 1"));
        }
        Ok(())
    }
}

/// Cohen's kappa for two raters.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct KappaResult {
    /// Kappa (weighted if asked).
    pub kappa: f64,
    /// Large-sample standard error (Fleiss, Cohen & Everitt, 1969).
    pub se: f64,
    /// `kappa -/+ z se`, clipped to [-1, 1].
    pub ci: [f64; 2],
    /// Weights used.
    pub weights: Weights,
    /// Subjects rated by both raters.
    pub n: usize,
    /// The categories, in their sorted order (their positions define the weights).
    pub categories: Vec<String>,
    /// Observed (weighted) agreement.
    pub observed: f64,
    /// Chance-expected (weighted) agreement.
    pub expected: f64,
    /// `"cohen"`.
    pub method: String,
    /// Warnings.
    pub warnings: Vec<Warning>,
}

/// Sorts category labels: numerically when every label is a number, else as text.
pub fn sort_categories(mut cats: Vec<String>) -> Vec<String> {
    cats.sort();
    cats.dedup();
    let nums: Option<Vec<f64>> = cats.iter().map(|c| c.trim().parse::<f64>().ok()).collect();
    if let Some(nums) = nums {
        let mut pairs: Vec<(f64, String)> = nums.into_iter().zip(cats).collect();
        pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
        pairs.dedup_by(|a, b| a.0 == b.0);
        pairs.into_iter().map(|p| p.1).collect()
    } else {
        cats
    }
}

/// Cohen's kappa of two raters' category labels (`None` = missing; pairs with a missing label
/// are dropped).
///
/// # Formula
/// With joint proportions $p_{ij}$, margins $p_{i\cdot}, p_{\cdot j}$ and agreement weights
/// $w_{ij}$ (identity when unweighted):
/// $$p_o = \sum_{ij} w_{ij}p_{ij},\quad p_e = \sum_{ij} w_{ij}p_{i\cdot}p_{\cdot j},\quad
/// \kappa = \frac{p_o - p_e}{1 - p_e}$$
/// $$\widehat{\mathrm{var}}(\kappa) = \frac{\sum_{ij} p_{ij}\bigl[w_{ij} - (\bar w_{i\cdot} + \bar w_{\cdot j})(1-\kappa)\bigr]^2
///   {}- \bigl[\kappa - p_e(1-\kappa)\bigr]^2}{n(1-p_e)^2},$$
/// $\bar w_{i\cdot} = \sum_j p_{\cdot j} w_{ij}$, $\bar w_{\cdot j} = \sum_i p_{i\cdot} w_{ij}$.
/// The categories are those used by either rater, sorted; weights use their positions
/// $1..K$: linear $1 - |i-j|/(K-1)$, quadratic $1 - (i-j)^2/(K-1)^2$.
///
/// # Reference
/// Cohen, J. (1960). *Educational and Psychological Measurement, 20*, 37–46; Cohen, J. (1968).
/// *Psychological Bulletin, 70*, 213–220; Fleiss, J. L., Cohen, J., & Everitt, B. S. (1969).
/// Large sample standard errors of kappa and weighted kappa. *Psychological Bulletin, 72*, 323–327.
///
/// # Peer
/// kappa as R psych::cohen.kappa (2.2.9), irr and sklearn; se as statsmodels' `cohens_kappa`
/// (0.15), the 1969 formula.
///
/// # Deviations
/// psych 2.2.9's weighted-kappa variance weights the row and column means of the weights with
/// the wrong margins and so differs from the 1969 formula (by 3e-3 in the textbook example);
/// the reference cases 17 and 18 show statsmodels, an independent implementation and a
/// multinomial bootstrap agreeing with the formula used here.
pub fn cohen_kappa(
    a: &[Option<String>],
    b: &[Option<String>],
    opts: &KappaOptions,
) -> Result<KappaResult> {
    opts.validate()?;
    let pairs: Vec<(&str, &str)> = a
        .iter()
        .zip(b)
        .filter_map(|(x, y)| Some((x.as_deref()?, y.as_deref()?)))
        .collect();
    let n = pairs.len();
    if n < 2 {
        return Err(Error::option(
            "--raters",
            format!("kappa needs at least 2 subjects rated by both raters, found {n}"),
        ));
    }
    let cats = sort_categories(
        pairs
            .iter()
            .flat_map(|(x, y)| [x.to_string(), y.to_string()])
            .collect(),
    );
    let kcat = cats.len();
    let index = |c: &str| cats.iter().position(|x| x == c).unwrap_or(0);
    let mut p = vec![0.0; kcat * kcat];
    for (x, y) in &pairs {
        p[index(x) * kcat + index(y)] += 1.0 / n as f64;
    }
    let w = weight_matrix(kcat, opts.weights);
    let row: Vec<f64> = (0..kcat)
        .map(|i| (0..kcat).map(|j| p[i * kcat + j]).sum())
        .collect();
    let col: Vec<f64> = (0..kcat)
        .map(|j| (0..kcat).map(|i| p[i * kcat + j]).sum())
        .collect();
    let mut po = 0.0;
    let mut pe = 0.0;
    for i in 0..kcat {
        for j in 0..kcat {
            po += w[i * kcat + j] * p[i * kcat + j];
            pe += w[i * kcat + j] * row[i] * col[j];
        }
    }
    let mut warnings = Vec::new();
    if kcat < 2 {
        warnings.push(Warning::new(
            WarningCode::Note,
            "both raters used a single category: kappa and its ci do not exist (chance agreement is 1: 0/0); reported as null",
        ));
    }
    // one category: po = pe = 1 and kappa is 0/0 (rounding can make it any number, e.g. 0.5)
    let kappa = if kcat < 2 {
        f64::NAN
    } else {
        (po - pe) / (1.0 - pe)
    };
    let wrow: Vec<f64> = (0..kcat)
        .map(|i| (0..kcat).map(|j| col[j] * w[i * kcat + j]).sum())
        .collect();
    let wcol: Vec<f64> = (0..kcat)
        .map(|j| (0..kcat).map(|i| row[i] * w[i * kcat + j]).sum())
        .collect();
    let mut s = 0.0;
    for i in 0..kcat {
        for j in 0..kcat {
            let d = w[i * kcat + j] - (wrow[i] + wcol[j]) * (1.0 - kappa);
            s += p[i * kcat + j] * d * d;
        }
    }
    let var = (s - (kappa - pe * (1.0 - kappa)).powi(2)) / (n as f64 * (1.0 - pe).powi(2));
    // f64::max drops a NaN: an undefined variance must stay undefined
    let se = if var.is_nan() {
        f64::NAN
    } else {
        var.max(0.0).sqrt()
    };
    let z = normal_quantile(1.0 - (1.0 - opts.ci) / 2.0).unwrap_or(f64::NAN);
    Ok(KappaResult {
        kappa,
        se,
        ci: [
            (kappa - z * se).clamp(-1.0, 1.0),
            (kappa + z * se).clamp(-1.0, 1.0),
        ],
        weights: opts.weights,
        n,
        categories: cats,
        observed: po,
        expected: pe,
        method: "cohen".into(),
        warnings,
    })
}

/// The agreement table of two raters: how many subjects rater `a` put in category `i` and rater
/// `b` in category `j` (`categories` in their order, labels compared without surrounding
/// spaces), and the number of subjects counted (both labels present and among `categories`).
pub fn agreement_counts(
    a: &[Option<String>],
    b: &[Option<String>],
    categories: &[String],
) -> (Vec<Vec<f64>>, f64) {
    let mut counts = vec![vec![0.0; categories.len()]; categories.len()];
    let mut pairs = 0.0f64;
    for (x, y) in a.iter().zip(b) {
        let (Some(x), Some(y)) = (x, y) else {
            continue;
        };
        let i = categories.iter().position(|k| k == x.trim());
        let j = categories.iter().position(|k| k == y.trim());
        if let (Some(i), Some(j)) = (i, j) {
            if let Some(cell) = counts.get_mut(i).and_then(|row| row.get_mut(j)) {
                *cell += 1.0;
                pairs += 1.0;
            }
        }
    }
    (counts, pairs)
}

fn weight_matrix(k: usize, w: Weights) -> Vec<f64> {
    let d = (k.max(2) - 1) as f64;
    let mut out = vec![0.0; k * k];
    for i in 0..k {
        for j in 0..k {
            let g = (i as f64 - j as f64).abs();
            out[i * k + j] = match w {
                Weights::None => f64::from(u8::from(i == j)),
                Weights::Linear => 1.0 - g / d,
                Weights::Quadratic => 1.0 - (g / d).powi(2),
            };
        }
    }
    out
}

/// Fleiss' kappa for many raters.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct FleissResult {
    /// Fleiss' kappa.
    pub kappa: f64,
    /// `"fleiss"`.
    pub method: String,
    /// Subjects with at least two ratings.
    pub n: usize,
    /// Raters (columns).
    pub raters: usize,
    /// The categories, sorted.
    pub categories: Vec<String>,
    /// Mean observed agreement $\bar P$.
    pub observed: f64,
    /// Chance agreement $P_e$.
    pub expected: f64,
    /// Large-sample standard error under the null of no agreement (Fleiss, Levin & Paik, 2003).
    pub se_null: f64,
    /// z statistic `kappa / se_null`.
    pub z: f64,
    /// Two-sided p value of z.
    pub p: f64,
    /// Warnings.
    pub warnings: Vec<Warning>,
}

/// Fleiss' kappa from a subjects-by-raters table of labels (`None` = missing).
///
/// # Formula
/// With $n_{ij}$ raters putting subject $i$ in category $j$ and $m_i = \sum_j n_{ij}$:
/// $$P_i = \frac{\sum_j n_{ij}(n_{ij}-1)}{m_i(m_i-1)},\quad \bar P = \frac1N\sum_i P_i,\quad
/// p_j = \frac{\sum_i n_{ij}}{\sum_i m_i},\quad P_e = \sum_j p_j^2,\quad
/// \kappa = \frac{\bar P - P_e}{1 - P_e}.$$
/// With a constant $m$ this is Fleiss (1971); subjects with fewer than two ratings are skipped.
/// The null standard error is
/// $\sqrt{2}\\,\sqrt{P_e - (2m-3)P_e^2 + 2(m-2)\sum_j p_j^3}\\,/\\,\bigl((1-P_e)\sqrt{Nm(m-1)}\bigr)$.
///
/// # Reference
/// Fleiss, J. L. (1971). Measuring nominal scale agreement among many raters. *Psychological
/// Bulletin, 76*, 378–382.
///
/// # Peer
/// statsmodels `fleiss_kappa(method = "fleiss")` (0.15) and R irr::kappam.fleiss.
pub fn fleiss_kappa(table: &[Vec<Option<String>>]) -> Result<FleissResult> {
    let raters = table.first().map_or(0, Vec::len);
    let cats = sort_categories(table.iter().flatten().flatten().cloned().collect());
    let k = cats.len();
    let mut counts: Vec<Vec<f64>> = Vec::new();
    for row in table {
        let mut c = vec![0.0; k];
        for v in row.iter().flatten() {
            if let Some(j) = cats.iter().position(|x| x == v) {
                c[j] += 1.0;
            }
        }
        if c.iter().sum::<f64>() >= 2.0 {
            counts.push(c);
        }
    }
    let n = counts.len();
    if n < 2 || k < 1 {
        return Err(Error::option(
            "--raters",
            format!("Fleiss' kappa needs at least 2 subjects with 2 or more ratings, found {n}"),
        ));
    }
    let total: f64 = counts.iter().flatten().sum();
    let p: Vec<f64> = (0..k)
        .map(|j| counts.iter().map(|c| c[j]).sum::<f64>() / total)
        .collect();
    let pbar = counts
        .iter()
        .map(|c| {
            let m: f64 = c.iter().sum();
            c.iter().map(|x| x * (x - 1.0)).sum::<f64>() / (m * (m - 1.0))
        })
        .sum::<f64>()
        / n as f64;
    let pe: f64 = p.iter().map(|x| x * x).sum();
    let kappa = (pbar - pe) / (1.0 - pe);
    let m = total / n as f64;
    let p3: f64 = p.iter().map(|x| x * x * x).sum();
    let se_null = (2.0f64).sqrt()
        * (pe - (2.0 * m - 3.0) * pe * pe + 2.0 * (m - 2.0) * p3)
            .max(0.0)
            .sqrt()
        / ((1.0 - pe) * (n as f64 * m * (m - 1.0)).sqrt());
    let z = kappa / se_null;
    let mut warnings = Vec::new();
    if counts
        .iter()
        .any(|c| (c.iter().sum::<f64>() - m).abs() > 1e-12)
    {
        warnings.push(Warning::new(
            WarningCode::Note,
            "subjects have different numbers of ratings: Fleiss' kappa generalised with per-subject rater counts; the null se assumes the mean count",
        ));
    }
    Ok(FleissResult {
        kappa,
        method: "fleiss".into(),
        n,
        raters,
        categories: cats,
        observed: pbar,
        expected: pe,
        se_null,
        z,
        p: 2.0 * (1.0 - crate::dist::normal_cdf(z.abs())),
        warnings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(v: &[u8]) -> Vec<Option<String>> {
        v.iter().map(|x| Some(x.to_string())).collect()
    }

    #[test]
    fn identical_raters_give_kappa_one() {
        let a = labels(&[1, 2, 3, 1, 2, 3, 3]);
        for w in [Weights::None, Weights::Linear, Weights::Quadratic] {
            let r = cohen_kappa(
                &a,
                &a,
                &KappaOptions {
                    weights: w,
                    ci: 0.95,
                },
            )
            .unwrap();
            assert!((r.kappa - 1.0).abs() < 1e-15);
        }
    }

    #[test]
    fn categories_sort_numerically() {
        let c = sort_categories(vec!["10".into(), "9".into(), "2".into(), "9".into()]);
        assert_eq!(c, vec!["2", "9", "10"]);
    }
}
