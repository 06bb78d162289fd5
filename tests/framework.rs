//! The framework tests' numerics pinned against R: dependent correlations (psych 2.2.9
//! `r.test`), correlations, betas, dominance weights and R² differences (`cor`, `lm`), partial
//! correlations (`solve(cor())`), the profile reliability (`anova(lm())`), and every bootstrap
//! interval computed on the same resample indices (`quantile(type = 7)`), from
//! tests/fixtures/framework/generate.R; Gaussian mixtures against mclust 6.0.0 `Mclust`
//! (tests/fixtures/framework/mixture.R).

use nalgebra::DMatrix;
use serde_json::Value;
use std::path::{Path, PathBuf};
use trustscale::framework::bootstrap::ResamplePlan;
use trustscale::framework::dependent::{dependent_correlations, zou_interval};
use trustscale::framework::differential::differential_with_plan;
use trustscale::framework::mixture::{adjusted_rand_index, latent_profiles, CovarianceModel};
use trustscale::framework::risks::{risk_links_with_plan, RiskScale};
use trustscale::framework::specialisation::{specialisation_with_plan, LeaderRatings};
use trustscale::framework::{Competency, FrameworkOptions, TrustClaim, Verdict};

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/framework")
}

fn json(name: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(dir().join(name)).unwrap()).unwrap()
}

/// A CSV with a header: names and rows of cells.
fn csv(name: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let text = std::fs::read_to_string(dir().join(name)).unwrap();
    let mut lines = text.lines();
    let unq = |s: &str| s.trim_matches('"').to_string();
    let header = lines.next().unwrap().split(',').map(unq).collect();
    let rows = lines
        .filter(|l| !l.is_empty())
        .map(|l| l.split(',').map(unq).collect())
        .collect();
    (header, rows)
}

fn column(h: &[String], rows: &[Vec<String>], name: &str) -> Vec<f64> {
    let j = h.iter().position(|c| c == name).unwrap();
    rows.iter().map(|r| r[j].parse().unwrap()).collect()
}

/// Resample indices written by R (1-based, one resample per line, no header).
fn plan(name: &str) -> ResamplePlan {
    let text = std::fs::read_to_string(dir().join(name)).unwrap();
    ResamplePlan {
        indices: text
            .lines()
            .filter(|l| !l.is_empty())
            .map(|l| {
                l.split(',')
                    .map(|v| v.trim().parse::<usize>().unwrap() - 1)
                    .collect()
            })
            .collect(),
    }
}

fn close(what: &str, got: f64, want: f64, tol: f64) {
    assert!(
        (got - want).abs() <= tol * (1.0 + want.abs()),
        "{what}: expected {want} got {got} (tol {tol})"
    );
}

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap()
}

fn competency(id: &str, trust: Option<TrustClaim>, risks: &[&str]) -> Competency {
    Competency {
        id: id.into(),
        name: id.into(),
        trust,
        risks: risks.iter().map(|s| s.to_string()).collect(),
    }
}

/// The claims of generate.R: x4, x6 affective; x2, x3, x5 cognitive; x1 both; the risk links.
fn competencies() -> Vec<Competency> {
    use TrustClaim::*;
    vec![
        competency("x1", Some(Both), &["r1"]),
        competency("x2", Some(Cognitive), &["r2"]),
        competency("x3", Some(Cognitive), &["r1", "r2"]),
        competency("x4", Some(Affective), &["r1"]),
        competency("x5", Some(Cognitive), &["r6"]),
        competency("x6", Some(Affective), &["r1"]),
    ]
}

struct Groups {
    x: DMatrix<f64>,
    ya: Vec<f64>,
    yc: Vec<f64>,
    risk: DMatrix<f64>,
}

fn groups() -> Groups {
    let (h, rows) = csv("groups.csv");
    let n = rows.len();
    let cols = |prefix: &str| {
        let mut m = DMatrix::zeros(n, 6);
        for j in 0..6 {
            let c = column(&h, &rows, &format!("{prefix}{}", j + 1));
            for i in 0..n {
                m[(i, j)] = c[i];
            }
        }
        m
    };
    Groups {
        x: cols("x"),
        ya: column(&h, &rows, "ya"),
        yc: column(&h, &rows, "yc"),
        risk: cols("risk"),
    }
}

#[test]
fn dependent_correlations_match_psych_r_test() {
    let e = json("expected.json");
    let n = e["n"].as_u64().unwrap() as usize;
    let r23 = f(&e["r_outcomes"]);
    for (j, t) in e["rtest"].as_array().unwrap().iter().enumerate() {
        let got = dependent_correlations(n, f(&t["r12"]), f(&t["r13"]), r23).unwrap();
        close(&format!("x{} t", j + 1), got.t, f(&t["t"]), 1e-12);
        close(&format!("x{} p", j + 1), got.p, f(&t["p"]), 1e-10);
        close(&format!("x{} z", j + 1), got.z, f(&t["z"]), 1e-12);
        close(&format!("x{} p_z", j + 1), got.p_z, f(&t["p_z"]), 1e-10);
        assert_eq!(got.df, (n - 3) as f64);
    }
}

#[test]
fn differential_estimates_and_intervals_match_r_on_the_same_resamples() {
    let e = json("expected.json");
    let g = groups();
    let plan = plan("resamples.csv");
    let opts = FrameworkOptions {
        bootstrap: plan.indices.len(),
        ..FrameworkOptions::default()
    };
    let r = differential_with_plan(&g.x, &g.ya, &g.yc, &competencies(), &opts, &plan).unwrap();
    assert_eq!(r.n, 60);
    assert_eq!(r.bootstrap.usable, 199);
    close("r_outcomes", r.r_outcomes, f(&e["r_outcomes"]), 1e-12);
    let want = e["differential"].as_array().unwrap();
    let ci = e["differential_ci"].as_array().unwrap();
    let names = [
        "r_a", "r_c", "r_diff", "b_a", "b_c", "b_diff", "g_a", "g_c", "g_diff",
    ];
    for (j, c) in r.competencies.iter().enumerate() {
        let got = [
            c.r_affective,
            c.r_cognitive,
            c.r_diff_bootstrap,
            c.beta_affective,
            c.beta_cognitive,
            c.beta_diff,
            c.dominance_affective,
            c.dominance_cognitive,
            c.dominance_diff,
        ];
        for (s, est) in got.iter().enumerate() {
            let k = 9 * j + s;
            let what = format!("x{} {}", j + 1, names[s]);
            close(&what, est.estimate.unwrap(), f(&want[k]), 1e-10);
            let ci_got = est.ci.unwrap();
            close(&format!("{what} lower"), ci_got[0], f(&ci[k][0]), 1e-10);
            close(&format!("{what} upper"), ci_got[1], f(&ci[k][1]), 1e-10);
        }
        // the reported interval of the difference is Zou's, on the full data
        assert_eq!(c.r_diff.estimate, c.r_diff_bootstrap.estimate);
        let zou = zou_interval(
            60,
            c.r_affective.estimate.unwrap(),
            c.r_cognitive.estimate.unwrap(),
            r.r_outcomes,
            0.95,
        );
        assert_eq!(c.r_diff.ci, zou);
        // the Williams test of the full data is the one psych gives
        let t = c.test.unwrap();
        close("williams t", t.t, f(&e["rtest"][j]["t"]), 1e-10);
    }
    for (s, joint) in r.joint.iter().enumerate() {
        let k = 9 * 6 + 3 * s;
        for (o, est) in [joint.r2_claimed, joint.r2_other, joint.diff]
            .iter()
            .enumerate()
        {
            let what = format!("set {:?} {o}", joint.set);
            close(&what, est.estimate.unwrap(), f(&want[k + o]), 1e-10);
            close(
                &format!("{what} lower"),
                est.ci.unwrap()[0],
                f(&ci[k + o][0]),
                1e-10,
            );
            close(
                &format!("{what} upper"),
                est.ci.unwrap()[1],
                f(&ci[k + o][1]),
                1e-10,
            );
        }
    }
    assert_eq!(r.joint[0].set, TrustClaim::Affective);
    assert_eq!(r.joint[1].set, TrustClaim::Cognitive);
    // verdicts follow the intervals: one per claimed competency, one per set
    assert_eq!(r.verdicts.len(), 8);
    for v in r.verdicts.iter().filter(|v| v.subject != "x1") {
        let ci = v.ci.unwrap();
        let expected = if ci[0] > 0.0 {
            Verdict::Supported
        } else if ci[1] < 0.0 {
            Verdict::Contrary
        } else {
            Verdict::NotSupported
        };
        assert_eq!(v.verdict, expected, "{}", v.statement);
    }
    // "both": supported when both correlations' intervals lie above zero
    let x1 = &r.competencies[0];
    let (a, c) = (x1.r_affective.ci.unwrap(), x1.r_cognitive.ci.unwrap());
    let both = if a[1] < 0.0 || c[1] < 0.0 {
        Verdict::Contrary
    } else if a[0] > 0.0 && c[0] > 0.0 {
        Verdict::Supported
    } else {
        Verdict::NotSupported
    };
    assert_eq!(x1.verdict, Some(both));
}

#[test]
fn risk_partial_correlations_and_intervals_match_r_on_the_same_resamples() {
    let e = json("expected.json");
    let g = groups();
    let plan = plan("resamples.csv");
    let scales: Vec<RiskScale> = (1..=6)
        .map(|k| RiskScale {
            id: format!("risk{k}"),
            name: format!("risk{k}"),
            risks: vec![format!("r{k}")],
        })
        .collect();
    let opts = FrameworkOptions {
        bootstrap: plan.indices.len(),
        ..FrameworkOptions::default()
    };
    let r = risk_links_with_plan(&g.x, &g.risk, &competencies(), &scales, &opts, &plan).unwrap();
    let want = e["risks"].as_array().unwrap();
    let ci = e["risks_ci"].as_array().unwrap();
    assert_eq!(r.links.len(), 36);
    assert_eq!(r.n_claimed, 7);
    for (k, l) in r.links.iter().enumerate() {
        let what = format!("{} x {}", l.competency, l.risk);
        close(&what, l.partial_r.estimate.unwrap(), f(&want[k]), 1e-10);
        close(
            &format!("{what} lower"),
            l.partial_r.ci.unwrap()[0],
            f(&ci[k][0]),
            1e-10,
        );
        close(
            &format!("{what} upper"),
            l.partial_r.ci.unwrap()[1],
            f(&ci[k][1]),
            1e-10,
        );
    }
    for (o, est) in [r.strength_claimed, r.strength_unclaimed, r.diff]
        .iter()
        .enumerate()
    {
        close("strength", est.estimate.unwrap(), f(&want[36 + o]), 1e-10);
        close(
            "strength lower",
            est.ci.unwrap()[0],
            f(&ci[36 + o][0]),
            1e-10,
        );
        close(
            "strength upper",
            est.ci.unwrap()[1],
            f(&ci[36 + o][1]),
            1e-10,
        );
    }
}

fn leader_ratings(name: &str) -> LeaderRatings {
    let (h, rows) = csv(name);
    let subs: Vec<String> = (1..=6).map(|k| format!("X{k}")).collect();
    let cols: Vec<usize> = subs
        .iter()
        .map(|s| h.iter().position(|c| c == s).unwrap())
        .collect();
    let mut leaders: Vec<String> = Vec::new();
    let mut ratings: Vec<Vec<Vec<f64>>> = Vec::new();
    for r in &rows {
        if leaders.last() != Some(&r[0]) {
            leaders.push(r[0].clone());
            ratings.push(Vec::new());
        }
        ratings
            .last_mut()
            .unwrap()
            .push(cols.iter().map(|&j| r[j].parse().unwrap()).collect());
    }
    LeaderRatings {
        leaders,
        subscales: subs,
        ratings: ratings
            .into_iter()
            .map(|m| DMatrix::from_fn(m.len(), 6, |i, j| m[i][j]))
            .collect(),
    }
}

#[test]
fn profile_reliability_matches_anova_with_equal_raters() {
    let e = &json("expected.json")["balanced"];
    let data = leader_ratings("leaders_balanced.csv");
    let opts = FrameworkOptions {
        bootstrap: 200,
        max_classes: 2,
        starts: 3,
        ..FrameworkOptions::default()
    };
    let r = specialisation_with_plan(&data, &opts, None).unwrap();
    assert_eq!(r.n_leaders, 30);
    // anova(lm(score ~ rater + subscale + leader:subscale)): MS(leader:subscale) = 5 V
    close(
        "MS leader x subscale",
        5.0 * r.profile_variance,
        f(&e["ms_leader_subscale"]),
        1e-10,
    );
    close("MS error", r.error_variance, f(&e["ms_error"]), 1e-10);
    close(
        "reliability",
        r.reliability.estimate.unwrap(),
        f(&e["reliability"]),
        1e-10,
    );
    close("F", r.f, f(&e["f"]), 1e-10);
    close("p", r.p, f(&e["p"]), 1e-8);
    assert_eq!((r.df1, r.df2), (f(&e["df1"]), f(&e["df2"])));
}

#[test]
fn profile_reliability_and_interval_match_r_with_unequal_raters() {
    let e = json("expected.json");
    let u = &e["unbalanced"];
    let data = leader_ratings("leaders_unbalanced.csv");
    let plan = plan("leader_resamples.csv");
    let opts = FrameworkOptions {
        bootstrap: plan.indices.len(),
        max_classes: 2,
        starts: 3,
        ..FrameworkOptions::default()
    };
    let r = specialisation_with_plan(&data, &opts, Some(&plan)).unwrap();
    assert_eq!(r.n_leaders, 25);
    close("V", r.profile_variance, f(&u["V"]), 1e-10);
    close("sigma2", r.error_variance, f(&u["sigma2"]), 1e-10);
    close("h", r.mean_inverse_raters, f(&u["h"]), 1e-12);
    close(
        "reliability",
        r.reliability.estimate.unwrap(),
        f(&u["reliability"]),
        1e-10,
    );
    close("p", r.p, f(&u["p"]), 1e-8);
    let ci = r.reliability.ci.unwrap();
    close("lower", ci[0], f(&e["unbalanced_ci"][0]), 1e-10);
    close("upper", ci[1], f(&e["unbalanced_ci"][1]), 1e-10);
    // the verdict follows the interval
    let v = &r.verdicts[0];
    assert_eq!(
        v.verdict,
        if ci[0] > 0.0 {
            Verdict::Supported
        } else {
            Verdict::NotSupported
        }
    );
}

fn mixture_data() -> (DMatrix<f64>, Vec<usize>) {
    let (h, rows) = csv("mixture.csv");
    let n = rows.len();
    let mut x = DMatrix::zeros(n, 6);
    for j in 0..6 {
        let c = column(&h, &rows, &format!("s{}", j + 1));
        for i in 0..n {
            x[(i, j)] = c[i];
        }
    }
    let t = column(&h, &rows, "type")
        .iter()
        .map(|v| *v as usize)
        .collect();
    (x, t)
}

/// Pins per model (VVI, EEE, EEI, VVV) and number of classes (1-6):
/// - mclust's EM started from our classification converges to our log-likelihood (to 1e-6
///   relative): ours is a maximum of the same likelihood, computed the same way;
/// - with 1-3 classes (the simulated structure) ours equals the best of mclust's default fit
///   and 100 random starts of its EM; where that is the default fit, mclust's BIC is ours with
///   the sign turned (with 2 classes mclust's hierarchical start stops at a lower maximum);
/// - ours is never below mclust's default (hierarchical start). With 4 or more classes than
///   the data hold, the likelihood has many local maxima: ours is sometimes above, sometimes
///   below the best of 100 random starts of mclust's EM (`best_loglik`, printed).
#[test]
fn mixtures_match_mclust_loglik_and_bic() {
    let e = json("mixture.json");
    let (x, types) = mixture_data();
    let names: Vec<String> = (1..=6).map(|k| format!("s{k}")).collect();
    let opts = FrameworkOptions {
        models: vec![
            CovarianceModel::Vvi,
            CovarianceModel::Eee,
            CovarianceModel::Eei,
            CovarianceModel::Vvv,
        ],
        ..FrameworkOptions::default()
    };
    let r = latent_profiles(&x, &names, &opts).unwrap();
    let n = x.nrows() as f64;
    let mut report = Vec::new();
    for m in &r.models {
        let want = e[m.model.name()].as_array().unwrap();
        for fit in &m.fits {
            let w = &want[fit.classes - 1];
            let what = format!("{} G = {}", m.model.name(), fit.classes);
            let ll = fit.loglik.unwrap();
            let (default, best) = (f(&w["loglik"]), f(&w["best_loglik"]));
            report.push(format!(
                "{what}: ours {ll:.6} mclust best {best:.6} default {default:.6}"
            ));
            assert_eq!(fit.npar as f64, f(&w["npar"]), "{what} npar");
            if fit.classes > 1 {
                close(
                    &format!("{what} loglik (mclust EM from ours)"),
                    ll,
                    f(&w["from_ours_loglik"]),
                    1e-6,
                );
            }
            assert!(
                ll >= default - 1e-6 * default.abs(),
                "{what}: below mclust's default"
            );
            if fit.classes <= 3 {
                close(
                    &format!("{what} loglik (mclust best start)"),
                    ll,
                    best,
                    1e-6,
                );
            }
            if (ll - default).abs() < 1e-6 * default.abs() {
                // the same solution: mclust's BIC is ours with the sign turned
                close(
                    &format!("{what} bic"),
                    -fit.bic.unwrap(),
                    f(&w["bic"]),
                    1e-6,
                );
            }
            close(
                &format!("{what} bic formula"),
                fit.bic.unwrap(),
                -2.0 * ll + fit.npar as f64 * n.ln(),
                1e-14,
            );
        }
    }
    println!("{}", report.join("\n"));
    // BIC picks the three simulated types, which are recovered exactly as mclust does
    let vvi = r
        .models
        .iter()
        .find(|m| m.model == CovarianceModel::Vvi)
        .unwrap();
    assert_eq!(vvi.best, Some(3));
    let three = &vvi.fits[2];
    close(
        "ARI",
        adjusted_rand_index(&three.classification, &types),
        f(&e["ari_vvi3"]),
        1e-12,
    );
    assert!(three.entropy.unwrap() > 0.9);
    assert_eq!(three.sizes.iter().sum::<usize>(), 150);
}

#[test]
fn adjusted_rand_index_matches_mclust() {
    let e = json("mixture.json");
    let ari = adjusted_rand_index(&[1, 1, 1, 2, 2, 2, 3, 3], &[2, 2, 1, 1, 3, 3, 3, 3]);
    close("ARI", ari, f(&e["ari_example"]), 1e-12);
    assert!((adjusted_rand_index(&[1, 1, 2, 2], &[5, 5, 7, 7]) - 1.0).abs() < 1e-15);
}

/// Writes our classification of every mixture with 2 or more classes to
/// tests/fixtures/framework/mixture_ours.csv, from which mixture.R runs mclust's EM (run by
/// hand before mixture.R when the starts change).
#[test]
#[ignore = "writes a fixture; run by hand"]
fn write_our_mixture_classifications() {
    let (x, _) = mixture_data();
    let names: Vec<String> = (1..=6).map(|k| format!("s{k}")).collect();
    let opts = FrameworkOptions {
        models: vec![
            CovarianceModel::Vvi,
            CovarianceModel::Eee,
            CovarianceModel::Eei,
            CovarianceModel::Vvv,
        ],
        ..FrameworkOptions::default()
    };
    let r = latent_profiles(&x, &names, &opts).unwrap();
    let mut out = String::from("model,G,classification\n");
    for m in &r.models {
        for fit in m.fits.iter().filter(|f| f.classes > 1) {
            let c: Vec<String> = fit.classification.iter().map(|c| c.to_string()).collect();
            out.push_str(&format!(
                "{},{},{}\n",
                m.model.name(),
                fit.classes,
                c.join(" ")
            ));
        }
    }
    std::fs::write(dir().join("mixture_ours.csv"), out).unwrap();
}

#[test]
#[ignore = "timing, by hand"]
fn time_mixtures() {
    let (x, _) = mixture_data();
    let names: Vec<String> = (1..=6).map(|k| format!("s{k}")).collect();
    for m in [
        CovarianceModel::Vvi,
        CovarianceModel::Eee,
        CovarianceModel::Eei,
        CovarianceModel::Vvv,
    ] {
        let starts: usize = std::env::var("STARTS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(20);
        let opts = FrameworkOptions {
            models: vec![m],
            starts,
            ..FrameworkOptions::default()
        };
        let t = std::time::Instant::now();
        let r = latent_profiles(&x, &names, &opts).unwrap();
        let its: Vec<(usize, f64)> = r.models[0]
            .fits
            .iter()
            .map(|f| (f.iterations, f.loglik.unwrap_or(f64::NAN)))
            .collect();
        println!("{} {:?} iterations {:?}", m.name(), t.elapsed(), its);
    }
}

/// Zou's (2007) interval against its transcription in R (tests/fixtures/framework/zou.R).
#[test]
fn zou_interval_matches_the_r_transcription() {
    let cases = [
        (
            100,
            0.5,
            0.3,
            0.4,
            0.95,
            [0.007970691333347, 0.392762682824541],
        ),
        (
            120,
            0.42,
            -0.15,
            0.55,
            0.95,
            [0.410877973835705, 0.716307771620395],
        ),
        (
            40,
            -0.2,
            0.35,
            0.1,
            0.90,
            [-0.848775245501007, -0.205798524070435],
        ),
    ];
    for (n, r12, r13, r23, level, want) in cases {
        let got = zou_interval(n, r12, r13, r23, level).unwrap();
        close("lower", got[0], want[0], 1e-12);
        close("upper", got[1], want[1], 1e-12);
    }
    assert!(zou_interval(4, 0.5, 0.3, 0.4, 0.95).is_none());
    assert!(zou_interval(100, 1.0, 0.3, 0.4, 0.95).is_none());
}

/// Coverage of the two intervals of a competency's difference $\rho_{x,a} - \rho_{x,c}$:
/// samples of `n` groups from a normal population with $\rho_{x,a} = .40$,
/// $\rho_{x,c} = .15$, $\rho_{a,c} = .60$ (true difference .25), 1000 resamples each.
fn coverage(n: usize, reps: usize) -> (f64, f64) {
    use trustscale::numeric::rng::{stream, Normal};
    let sigma =
        nalgebra::DMatrix::from_row_slice(3, 3, &[1.0, 0.6, 0.4, 0.6, 1.0, 0.15, 0.4, 0.15, 1.0]);
    let l = sigma.cholesky().unwrap().l();
    let comps = vec![Competency {
        id: "x".into(),
        name: "x".into(),
        trust: Some(TrustClaim::Affective),
        risks: vec![],
    }];
    let opts = FrameworkOptions {
        bootstrap: 1000,
        ..FrameworkOptions::default()
    };
    let (mut boot, mut zou) = (0usize, 0usize);
    for rep in 0..reps {
        let mut rng = stream(77, rep as u64);
        let mut nrm = Normal::new();
        let (mut ya, mut yc, mut x) = (vec![0.0; n], vec![0.0; n], vec![0.0; n]);
        for i in 0..n {
            let z = nalgebra::DVector::from_fn(3, |_, _| nrm.draw(&mut rng));
            let v = &l * z;
            (ya[i], yc[i], x[i]) = (v[0], v[1], v[2]);
        }
        let xm = nalgebra::DMatrix::from_column_slice(n, 1, &x);
        let opts = FrameworkOptions {
            seed: rep as u64,
            ..opts.clone()
        };
        let r = trustscale::framework::differential(&xm, &ya, &yc, &comps, &opts).unwrap();
        let c = &r.competencies[0];
        let covers = |ci: Option<[f64; 2]>| ci.is_some_and(|c| c[0] <= 0.25 && 0.25 <= c[1]);
        boot += usize::from(covers(c.r_diff_bootstrap.ci));
        zou += usize::from(covers(c.r_diff.ci));
    }
    (boot as f64 / reps as f64, zou as f64 / reps as f64)
}

/// Coverage at 40 and 120 groups over 2000 samples each (figures in the doc of
/// `trustscale::framework::differential`): Zou's interval within 1.5 points of 95%.
#[test]
#[ignore = "heavy: 4000 samples with 1000 resamples each"]
fn per_competency_interval_coverage() {
    for n in [40, 120] {
        let (boot, zou) = coverage(n, 2000);
        println!("n = {n}: percentile bootstrap {boot:.4}, Zou {zou:.4}");
        assert!((zou - 0.95).abs() < 0.015, "n = {n}: Zou covers {zou}");
    }
}
