//! Portable random streams and deviates: the one home of every seeded draw in the crate.
//!
//! # Algorithm
//! A stream is ChaCha8 (`rand_chacha::ChaCha8Rng`, portable across platforms, unlike `StdRng`)
//! seeded with `seed_from_u64(seed)` and then moved to `set_stream(stream)`. Each replicate,
//! resample or respondent gets its own stream number, so a draw depends on (seed, stream) only and
//! never on the number of threads. Uniform deviates take 53 random bits; normal deviates use the
//! Box–Muller transform with the pure-Rust `libm` functions, so they are bit-identical everywhere.
//!
//! # Reference
//! Bernstein, D. J. (2008). ChaCha, a variant of Salsa20. *Workshop Record of SASC 2008*.
//! Box, G. E. P., & Muller, M. E. (1958). A note on the generation of random normal deviates.
//! *Annals of Mathematical Statistics, 29*, 610–611.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// The generator of one stream of a seeded plan: `seed_from_u64(seed)` then `set_stream(stream)`.
pub fn stream(seed: u64, stream: u64) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(stream);
    rng
}

/// A uniform draw in the open interval (0, 1) from 53 random bits.
pub fn uniform_open(rng: &mut ChaCha8Rng) -> f64 {
    loop {
        let u = (rng.gen::<u64>() >> 11) as f64 * (1.0 / (1u64 << 53) as f64);
        if u > 0.0 {
            return u;
        }
    }
}

/// Standard normal draws by the Box–Muller transform, with `libm` so that results are
/// bit-identical on every platform. Keeps the second deviate of each pair.
///
/// A deviate that is not needed can be passed over with [`Normal::skip`]: it consumes the same
/// random bits as [`Normal::draw`] (so every later draw is unchanged) without evaluating the
/// logarithm and the sine or cosine, which are most of the cost of a draw.
#[derive(Debug, Clone, Default)]
pub struct Normal {
    spare: Option<Spare>,
}

/// The second deviate of a pair: $u_1$, the angle $2\pi u_2$ and the radius once computed.
#[derive(Debug, Clone, Copy)]
struct Spare {
    u1: f64,
    t: f64,
    r: Option<f64>,
}

impl Normal {
    /// A new generator with no spare deviate.
    pub fn new() -> Self {
        Normal { spare: None }
    }

    /// One standard normal deviate.
    ///
    /// # Formula
    /// $z_1 = \sqrt{-2\ln u_1}\cos(2\pi u_2)$, $z_2 = \sqrt{-2\ln u_1}\sin(2\pi u_2)$.
    ///
    /// # Reference
    /// Box, G. E. P., & Muller, M. E. (1958). A note on the generation of random normal deviates.
    /// *Annals of Mathematical Statistics, 29*, 610–611.
    pub fn draw(&mut self, rng: &mut ChaCha8Rng) -> f64 {
        if let Some(s) = self.spare.take() {
            let r = s.r.unwrap_or_else(|| radius(s.u1));
            return r * libm::sin(s.t);
        }
        let u1 = uniform_open(rng);
        let u2 = uniform_open(rng);
        let r = radius(u1);
        let t = 2.0 * std::f64::consts::PI * u2;
        self.spare = Some(Spare { u1, t, r: Some(r) });
        r * libm::cos(t)
    }

    /// Passes over one deviate: afterwards the generator and `rng` are where they would be
    /// after [`Normal::draw`], so the draws that follow are the same.
    pub fn skip(&mut self, rng: &mut ChaCha8Rng) {
        if self.spare.take().is_some() {
            return;
        }
        let u1 = uniform_open(rng);
        let u2 = uniform_open(rng);
        let t = 2.0 * std::f64::consts::PI * u2;
        self.spare = Some(Spare { u1, t, r: None });
    }
}

/// $\sqrt{-2\ln u_1}$.
fn radius(u1: f64) -> f64 {
    libm::sqrt(-2.0 * libm::log(u1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normal_draws_have_unit_moments() {
        let mut rng = stream(7, 0);
        let mut g = Normal::new();
        let n = 200_000;
        let xs: Vec<f64> = (0..n).map(|_| g.draw(&mut rng)).collect();
        let m = xs.iter().sum::<f64>() / n as f64;
        let v = xs.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (n - 1) as f64;
        // standard errors: 1/sqrt(n) = .0022 for the mean, sqrt(2/n) = .0032 for the variance
        assert!(m.abs() < 0.01, "{m}");
        assert!((v - 1.0).abs() < 0.015, "{v}");
    }

    /// The deviates of `draw` and `skip` mixed are those of `draw` alone (the pre-`skip`
    /// formula, written out here), bit for bit, and the stream stays in step.
    #[test]
    fn skipping_leaves_every_other_draw_bit_identical() {
        let mut rng = stream(11, 3);
        let mut reference = Vec::new();
        let mut spare: Option<f64> = None;
        for _ in 0..100_001 {
            if let Some(z) = spare.take() {
                reference.push(z);
                continue;
            }
            let u1 = uniform_open(&mut rng);
            let u2 = uniform_open(&mut rng);
            let r = libm::sqrt(-2.0 * libm::log(u1));
            let t = 2.0 * std::f64::consts::PI * u2;
            spare = Some(r * libm::sin(t));
            reference.push(r * libm::cos(t));
        }
        let after = rng.gen::<u64>();
        let mut rng = stream(11, 3);
        let mut g = Normal::new();
        for (i, want) in reference.iter().enumerate() {
            // skip in runs of different lengths, so both halves of pairs are skipped
            if i % 7 == 3 || i % 11 < 2 {
                g.skip(&mut rng);
            } else {
                assert_eq!(g.draw(&mut rng).to_bits(), want.to_bits(), "deviate {i}");
            }
        }
        assert_eq!(rng.gen::<u64>(), after);
    }

    #[test]
    fn streams_are_reproducible() {
        let a: Vec<u64> = (0..4).map(|_| stream(3, 9).gen::<u64>()).collect();
        assert!(a.windows(2).all(|w| w[0] == w[1]));
        assert_ne!(stream(3, 9).gen::<u64>(), stream(3, 10).gen::<u64>());
    }
}
