//! nalgebra matrices and vectors in the JSON contract's layout, for `#[serde(serialize_with)]`.
//!
//! A matrix is a list of rows (`[[l11, l12], [l21, l22]]`, as R's `jsonlite` writes a matrix),
//! a vector a plain list. Non-finite entries follow serde_json (`NaN` becomes `null`).
//!
//! ```
//! use nalgebra::DMatrix;
//! #[derive(serde::Serialize)]
//! struct Loadings {
//!     #[serde(serialize_with = "trustscale::numeric::serde_matrix::ser_matrix")]
//!     loadings: DMatrix<f64>,
//! }
//! let l = Loadings { loadings: DMatrix::from_row_slice(2, 2, &[0.5, 0.25, 1.0, 2.0]) };
//! assert_eq!(serde_json::to_string(&l).unwrap(), r#"{"loadings":[[0.5,0.25],[1.0,2.0]]}"#);
//! ```

use nalgebra::{DMatrix, DVector};

/// Serialises a matrix as a list of rows (`[[l11, l12], [l21, l22]]`, the contract's layout).
pub fn ser_matrix<S: serde::Serializer>(m: &DMatrix<f64>, s: S) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeSeq;
    let mut seq = s.serialize_seq(Some(m.nrows()))?;
    for i in 0..m.nrows() {
        let row: Vec<f64> = m.row(i).iter().copied().collect();
        seq.serialize_element(&row)?;
    }
    seq.end()
}

/// Serialises a vector as a list.
pub fn ser_vector<S: serde::Serializer>(v: &DVector<f64>, s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(v.iter())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Serialize)]
    struct Both {
        #[serde(serialize_with = "ser_matrix")]
        m: DMatrix<f64>,
        #[serde(serialize_with = "ser_vector")]
        v: DVector<f64>,
    }

    #[test]
    fn matrix_is_rows_and_vector_is_a_list() {
        let b = Both {
            m: DMatrix::from_row_slice(2, 3, &[1.0, 2.0, 3.0, 4.0, 5.0, f64::NAN]),
            v: DVector::from_vec(vec![0.5, -1.0]),
        };
        assert_eq!(
            serde_json::to_string(&b).unwrap(),
            r#"{"m":[[1.0,2.0,3.0],[4.0,5.0,null]],"v":[0.5,-1.0]}"#
        );
    }
}
