//! Likert responses from a factor model with thresholds.
//!
//! # Model
//! One factor per subscale, factors standard normal with equal correlations $\phi$. Item $i$
//! of subscale $s$ has a continuous response
//! $$y_i = \lambda_i f_s + \sqrt{1-\lambda_i^2}\\,e_i,\qquad e_i \sim N(0,1),$$
//! with $\lambda_i = -\lambda$ for reverse-keyed items (a respondent high on the factor
//! disagrees) and $+\lambda$ otherwise. The observed response is
//! $x_i = \text{min} + \\#\\{m : y_i > \tau_{im}\\}$ with thresholds
//! $\tau_{im} = \delta_i + \tau_m$: base thresholds $\tau_m$ equally spaced on
//! $[-1.85, 1.15]$ (responses lean towards agreement, as ratings of leaders do) and an item shift
//! $\delta_i \sim U(-0.3, 0.3)$ drawn from stream 0 of the seed.
//!
//! Respondent $r$ draws from stream $r+1$, so every row depends on (seed, r) only.

use crate::data::ItemData;
use crate::dist::{normal_cdf, normal_pdf};
use crate::error::{Error, Result};
use crate::instrument::Instrument;
use crate::numeric::rng::{stream, uniform_open, Normal};
use nalgebra::DMatrix;
use rayon::prelude::*;

/// Options of [`simulate_instrument`].
#[derive(Debug, Clone)]
pub struct SimulateOptions {
    /// Respondents.
    pub n: usize,
    /// Seed.
    pub seed: u64,
    /// Standardised loading of every item on its subscale's factor (0 < λ < 1).
    pub loadings: f64,
    /// Correlation between subscale factors (-1 < φ < 1, and the matrix must be positive definite).
    pub factor_cor: f64,
}

impl Default for SimulateOptions {
    fn default() -> Self {
        SimulateOptions {
            n: 400,
            seed: 1,
            loadings: 0.7,
            factor_cor: 0.3,
        }
    }
}

impl SimulateOptions {
    /// Rejects impossible settings.
    pub fn validate(&self) -> Result<()> {
        if self.n == 0 {
            return Err(Error::option("--n", "expected at least 1 respondent"));
        }
        crate::error::limits::count("--n", self.n, crate::error::limits::DESIGN_UNITS)?;
        if !(self.loadings > 0.0 && self.loadings < 1.0) {
            return Err(Error::option(
                "--loadings",
                "expected a loading between 0 and 1",
            ));
        }
        if !(self.factor_cor > -1.0 && self.factor_cor < 1.0) {
            return Err(Error::option(
                "--factor-cor",
                "expected a correlation between -1 and 1",
            ));
        }
        Ok(())
    }
}

/// The population model behind a simulation.
#[derive(Debug, Clone)]
pub struct LikertModel {
    /// Item ids.
    pub items: Vec<String>,
    /// Factor (subscale index) of each item.
    pub factor_of: Vec<usize>,
    /// Signed loading of each item.
    pub loadings: Vec<f64>,
    /// Thresholds of each item (ascending, `max - min` of them).
    pub thresholds: Vec<Vec<f64>>,
    /// Lowest response.
    pub min: f64,
    /// Factor correlation matrix.
    pub phi: DMatrix<f64>,
}

impl LikertModel {
    /// Builds the model of an instrument.
    pub fn new(inst: &Instrument, opts: &SimulateOptions) -> Result<Self> {
        opts.validate()?;
        let nf = inst.subscales.len();
        let phi = DMatrix::from_fn(nf, nf, |i, j| if i == j { 1.0 } else { opts.factor_cor });
        let cuts = (inst.scale.max - inst.scale.min) as usize;
        let base: Vec<f64> = (0..cuts)
            .map(|m| {
                if cuts == 1 {
                    -0.35
                } else {
                    -1.85 + 3.0 * m as f64 / (cuts - 1) as f64
                }
            })
            .collect();
        let mut rng = stream(opts.seed, 0);
        let mut factor_of = Vec::new();
        let mut loadings = Vec::new();
        let mut thresholds = Vec::new();
        for item in &inst.items {
            let f = inst
                .subscales
                .iter()
                .position(|s| s.id == item.subscale)
                .ok_or_else(|| {
                    Error::option("--instrument", format!("item {} has no subscale", item.id))
                })?;
            factor_of.push(f);
            loadings.push(if item.reverse {
                -opts.loadings
            } else {
                opts.loadings
            });
            let shift = -0.3 + 0.6 * uniform_open(&mut rng);
            thresholds.push(base.iter().map(|t| t + shift).collect());
        }
        Ok(LikertModel {
            items: inst.items.iter().map(|i| i.id.clone()).collect(),
            factor_of,
            loadings,
            thresholds,
            min: inst.scale.min as f64,
            phi,
        })
    }

    /// Population correlation of the continuous responses of items `i` and `j`.
    pub fn latent_cor(&self, i: usize, j: usize) -> f64 {
        if i == j {
            1.0
        } else {
            self.loadings[i] * self.loadings[j] * self.phi[(self.factor_of[i], self.factor_of[j])]
        }
    }

    /// Exact population covariance of the observed (categorised) responses of items `i`, `j`.
    ///
    /// # Formula
    /// With $x = \text{min} + \sum_m 1\\{y > \tau_m\\}$,
    /// $\operatorname{cov}(x_i, x_j) = \sum_{a,b} \bigl[P(y_i>\tau_{ia}, y_j>\tau_{jb})
    /// {}- P(y_i>\tau_{ia})P(y_j>\tau_{jb})\bigr]$, each bivariate normal orthant probability
    /// computed as $\int_{b}^{\infty}\phi(z)\\,\Phi\bigl((\rho z - a)/\sqrt{1-\rho^2}\bigr)\\,dz$ by
    /// composite Simpson integration (error far below 1e-9 for these smooth integrands).
    pub fn observed_cov(&self, i: usize, j: usize) -> f64 {
        let rho = self.latent_cor(i, j);
        let mut cov = 0.0;
        for &a in &self.thresholds[i] {
            for &b in &self.thresholds[j] {
                let joint = if i == j {
                    1.0 - normal_cdf(a.max(b))
                } else {
                    upper_orthant(a, b, rho)
                };
                cov += joint - (1.0 - normal_cdf(a)) * (1.0 - normal_cdf(b));
            }
        }
        cov
    }

    /// Population Cronbach's alpha of a set of observed items.
    pub fn population_alpha(&self, items: &[usize]) -> f64 {
        let k = items.len();
        let c = DMatrix::from_fn(k, k, |a, b| self.observed_cov(items[a], items[b]));
        crate::reliability::alpha_of(&c)
    }

    /// Draws respondent `r`'s responses.
    fn respondent(&self, seed: u64, r: usize, out: &mut [f64], chol: &DMatrix<f64>) {
        let mut rng = stream(seed, r as u64 + 1);
        let mut g = Normal::new();
        let nf = self.phi.nrows();
        let z: Vec<f64> = (0..nf).map(|_| g.draw(&mut rng)).collect();
        let f: Vec<f64> = (0..nf)
            .map(|a| (0..=a).map(|b| chol[(a, b)] * z[b]).sum())
            .collect();
        self.respond(&f, &mut rng, &mut g, out);
    }

    /// One respondent's categorised answers given the values `f` of the factors (one per
    /// subscale) as this respondent perceives them: $y_i = \lambda_i f_{s(i)} +
    /// \sqrt{1-\lambda_i^2}\\,e_i$ cut at the item's thresholds.
    pub fn respond(
        &self,
        f: &[f64],
        rng: &mut rand_chacha::ChaCha8Rng,
        g: &mut Normal,
        out: &mut [f64],
    ) {
        self.respond_needed(f, rng, g, out, None);
    }

    /// As [`LikertModel::respond`], answering only the items marked in `needed` (all when
    /// `None`): the others are `NaN`, their deviates passed over ([`Normal::skip`]), so the
    /// answers given are those of `respond`, bit for bit.
    pub(crate) fn respond_needed(
        &self,
        f: &[f64],
        rng: &mut rand_chacha::ChaCha8Rng,
        g: &mut Normal,
        out: &mut [f64],
        needed: Option<&[bool]>,
    ) {
        for (i, o) in out.iter_mut().enumerate() {
            if needed.is_some_and(|n| !n[i]) {
                g.skip(rng);
                *o = f64::NAN;
                continue;
            }
            let l = self.loadings[i];
            let y = l * f[self.factor_of[i]] + (1.0 - l * l).sqrt() * g.draw(rng);
            let above = self.thresholds[i].iter().filter(|&&t| y > t).count();
            *o = self.min + above as f64;
        }
    }
}

/// P(Y1 > a, Y2 > b) for standard bivariate normal with correlation rho, |rho| < 1.
fn upper_orthant(a: f64, b: f64, rho: f64) -> f64 {
    let s = (1.0 - rho * rho).sqrt();
    let hi = 9.0;
    if b >= hi {
        return 0.0;
    }
    let steps = 4000;
    let h = (hi - b) / steps as f64;
    let g = |z: f64| normal_pdf(z) * normal_cdf((rho * z - a) / s);
    let mut sum = g(b) + g(hi);
    for m in 1..steps {
        let w = if m % 2 == 1 { 4.0 } else { 2.0 };
        sum += w * g(b + m as f64 * h);
    }
    sum * h / 3.0
}

/// Simulates `opts.n` respondents' answers to every item of an instrument.
///
/// Returns the data (columns named by item id, respondent ids `R0001`...) and the model.
pub fn simulate_instrument(
    inst: &Instrument,
    opts: &SimulateOptions,
) -> Result<(ItemData, LikertModel)> {
    let model = LikertModel::new(inst, opts)?;
    let k = model.items.len();
    // per respondent: k answers (8 bytes each), their CSV text and its copy on the way out
    // (about 2 bytes each, twice) and the respondent id (a String, about 64 bytes)
    crate::error::limits::memory(
        &format!("--n with the {k} items of {}", inst.id),
        opts.n as u128,
        12 * k as u128 + 64,
    )?;
    let chol = model
        .phi
        .clone()
        .cholesky()
        .ok_or_else(|| Error::NotPositiveDefinite {
            what: "the factor correlation matrix".into(),
            index: format!("--factor-cor {}", opts.factor_cor),
        })?
        .l();
    let mut values = vec![0.0; opts.n * k];
    values
        .par_chunks_mut(k)
        .enumerate()
        .for_each(|(r, out)| model.respondent(opts.seed, r, out, &chol));
    let mut data = ItemData::new(model.items.clone(), values)?;
    let width = opts.n.to_string().len().max(4);
    data.ids = Some((1..=opts.n).map(|r| format!("R{r:0width$}")).collect());
    Ok((data, model))
}

/// The simulated data as CSV text: `respondent_id` then the item columns.
pub fn to_csv(data: &ItemData) -> String {
    let mut out = String::with_capacity(data.values.len() * 2 + 64);
    out.push_str("respondent_id");
    for n in &data.names {
        out.push(',');
        out.push_str(n);
    }
    out.push('\n');
    for (i, row) in data.row_iter().enumerate() {
        match &data.ids {
            Some(ids) => out.push_str(&ids[i]),
            None => out.push_str(&(i + 1).to_string()),
        }
        for v in row {
            out.push(',');
            if !v.is_nan() {
                out.push_str(&format!("{v}"));
            }
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upper_orthant_known_values() {
        // P(Y1 > 0, Y2 > 0) = 1/4 + asin(rho)/(2 pi)
        for rho in [-0.7f64, 0.0, 0.3, 0.9] {
            let want = 0.25 + rho.asin() / (2.0 * std::f64::consts::PI);
            assert!((upper_orthant(0.0, 0.0, rho) - want).abs() < 1e-10, "{rho}");
        }
        // independence: product of the margins
        let p = upper_orthant(0.5, -1.0, 0.0);
        assert!((p - (1.0 - normal_cdf(0.5)) * (1.0 - normal_cdf(-1.0))).abs() < 1e-10);
    }
}
