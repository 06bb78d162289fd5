//! Rater agreement and aggregation.
//!
//! - [`icc`]: Shrout & Fleiss intraclass correlations (ANOVA, or REML variance components with
//!   missing ratings).
//! - [`rwg`]: rwg, rwg(j) with uniform and skewed nulls, AD, Bliese's ICC(1)/ICC(2), the
//!   aggregation verdict and random-group resampling.
//! - [`kappa`]: Cohen's (weighted) kappa with Fleiss–Cohen–Everitt standard errors; Fleiss' kappa.
//! - [`krippendorff`]: Krippendorff's alpha at four levels via the coincidence matrix.
//!
//! # References
//! - Shrout, P. E., & Fleiss, J. L. (1979). *Psychological Bulletin, 86*, 420–428.
//! - James, L. R., Demaree, R. G., & Wolf, G. (1984). *Journal of Applied Psychology, 69*, 85–98.
//! - LeBreton, J. M., & Senter, J. L. (2008). *Organizational Research Methods, 11*, 815–852.
//! - Bliese, P. D. (2000). Within-group agreement, non-independence, and reliability. In K. J.
//!   Klein & S. W. J. Kozlowski (Eds.), *Multilevel theory, research, and methods in
//!   organizations* (pp. 349–381). Jossey-Bass.
//! - Cohen, J. (1960, 1968); Fleiss, J. L., Cohen, J., & Everitt, B. S. (1969); Fleiss, J. L. (1971).
//! - Krippendorff, K. (2011). *Computing Krippendorff's alpha-reliability*.

pub mod icc;
pub mod kappa;
pub mod krippendorff;
pub mod rwg;
