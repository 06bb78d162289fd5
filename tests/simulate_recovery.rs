//! Simulated data recover their model: sample alpha is near the exact population alpha of the
//! categorised responses, reverse-keyed items correlate negatively before reversal, and the same
//! seed gives the same data.

use trustscale::correlation::{covariance, Missing};
use trustscale::instrument;
use trustscale::reliability::{reliability, ReliabilityOptions};
use trustscale::simulate::{simulate_instrument, SimulateOptions};

#[test]
fn sample_alpha_recovers_population_alpha() {
    let inst = instrument::load("tblc").unwrap();
    let opts = SimulateOptions {
        n: 20_000,
        seed: 11,
        loadings: 0.7,
        factor_cor: 0.3,
    };
    let (data, model) = simulate_instrument(&inst, &opts).unwrap();
    for sub in &inst.subscales {
        let idx: Vec<usize> = inst
            .items
            .iter()
            .enumerate()
            .filter(|(_, i)| i.subscale == sub.id)
            .map(|(j, _)| j)
            .collect();
        let mut d = data.columns(&idx);
        for (p, &j) in idx.iter().enumerate() {
            if inst.items[j].reverse {
                d.reverse(p, 1.0, 6.0);
            }
        }
        let r = reliability(&d, &ReliabilityOptions::default()).unwrap();
        // reversal x -> 7 - x leaves every covariance's magnitude unchanged, and the reversed
        // item's loading is positive again, so the population alpha is that of |loadings|
        let mut m = model.clone();
        for &j in &idx {
            m.loadings[j] = m.loadings[j].abs();
        }
        let pop = m.population_alpha(&idx);
        // sampling sd of alpha at n = 20000 is about (1 - alpha) * sqrt(2k/((k-1)n)) ~ .003
        eprintln!("{} sample {:.4} population {:.4}", sub.id, r.alpha, pop);
        assert!(
            (r.alpha - pop).abs() < 0.012,
            "{}: sample {} population {}",
            sub.id,
            r.alpha,
            pop
        );
        // and categorising attenuates: the population alpha of the latent responses is higher
        let k = idx.len() as f64;
        let latent = k * 0.49 / (1.0 + (k - 1.0) * 0.49);
        assert!(
            pop < latent && pop > latent - 0.08,
            "{pop} vs latent {latent}"
        );
    }
}

#[test]
fn reverse_keyed_items_correlate_negatively_before_reversal() {
    let inst = instrument::load("tblc").unwrap();
    let (data, _) = simulate_instrument(
        &inst,
        &SimulateOptions {
            n: 3000,
            ..Default::default()
        },
    )
    .unwrap();
    let m = covariance(&data, Missing::Pairwise).unwrap();
    let r = m.cov2cor();
    for (j, item) in inst.items.iter().enumerate() {
        if !item.reverse {
            continue;
        }
        let sib = inst
            .items
            .iter()
            .position(|i| i.subscale == item.subscale && !i.reverse)
            .unwrap();
        assert!(
            r[(j, sib)] < -0.25,
            "{} vs {}: {}",
            item.id,
            inst.items[sib].id,
            r[(j, sib)]
        );
    }
}

#[test]
fn same_seed_same_data_different_seed_different_data() {
    let inst = instrument::load("abi").unwrap();
    let o = SimulateOptions {
        n: 50,
        seed: 5,
        ..Default::default()
    };
    let (a, _) = simulate_instrument(&inst, &o).unwrap();
    let (b, _) = simulate_instrument(&inst, &o).unwrap();
    assert_eq!(a.values, b.values);
    let (c, _) = simulate_instrument(&inst, &SimulateOptions { seed: 6, ..o }).unwrap();
    assert_ne!(a.values, c.values);
    assert!(a
        .values
        .iter()
        .all(|v| (1.0..=6.0).contains(v) && v.fract() == 0.0));
}

#[test]
fn bootstrap_is_identical_whatever_the_thread_count() {
    let inst = instrument::load("tblc").unwrap();
    let (data, _) = simulate_instrument(
        &inst,
        &SimulateOptions {
            n: 500,
            ..Default::default()
        },
    )
    .unwrap();
    let d = data.columns(&[0, 1, 2, 3, 4]);
    let opts = ReliabilityOptions {
        bootstrap: Some(300),
        seed: 9,
        ..Default::default()
    };
    let one = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    let two = rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .unwrap();
    let a = one.install(|| reliability(&d, &opts).unwrap());
    let b = two.install(|| reliability(&d, &opts).unwrap());
    assert_eq!(a.alpha_ci, b.alpha_ci);
    assert!(a.alpha_ci[0] < a.alpha && a.alpha < a.alpha_ci[1]);
    // the percentile interval is close to Feldt's at this n
    let f = reliability(&d, &ReliabilityOptions::default()).unwrap();
    assert!(
        (a.alpha_ci[0] - f.alpha_ci[0]).abs() < 0.03
            && (a.alpha_ci[1] - f.alpha_ci[1]).abs() < 0.03
    );
}

#[test]
fn bootstrap_with_missing_cells_uses_pairwise_resamples() {
    let inst = instrument::load("abi").unwrap();
    let (mut data, _) = simulate_instrument(
        &inst,
        &SimulateOptions {
            n: 400,
            ..Default::default()
        },
    )
    .unwrap();
    let d0 = data.columns(&[0, 1, 2, 3]);
    for i in (0..data.values.len()).step_by(37) {
        data.values[i] = f64::NAN;
    }
    let d = data.columns(&[0, 1, 2, 3]);
    let opts = ReliabilityOptions {
        bootstrap: Some(200),
        seed: 3,
        ..Default::default()
    };
    let r = reliability(&d, &opts).unwrap();
    assert!(r.rows_with_missing > 0);
    assert!(r.alpha_ci[0] < r.alpha && r.alpha < r.alpha_ci[1]);
    let full = reliability(&d0, &ReliabilityOptions::default()).unwrap();
    assert!((r.alpha - full.alpha).abs() < 0.03);
}
