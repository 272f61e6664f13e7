//! The Python module `noetl_envelope_accel` (cargo feature `python`, on by default): the class
//! `Prover`, a thin PyO3 wrapper around the plain Rust [`crate::Prover`]. Its errors (a bad
//! spec, an unknown profile) are raised as `ValueError` with the core's messages.

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

/// The prover for one schema (see the module documentation).
#[pyclass(frozen, name = "Prover", module = "noetl_envelope_accel")]
struct PyProver(crate::Prover);

#[pymethods]
impl PyProver {
    /// `spec`: JSON `{"fields": [...]}`, the schema's fields in declaration order as
    /// `fastpath.accel_spec()` compiles them.
    #[new]
    fn new(spec: &str) -> PyResult<Self> {
        crate::Prover::from_spec(spec)
            .map(PyProver)
            .map_err(PyValueError::new_err)
    }

    /// True only if the reference engine reports nothing for `data` under `profile`.
    fn prove(&self, data: &[u8], profile: &str) -> PyResult<bool> {
        self.0.prove(data, profile).map_err(PyValueError::new_err)
    }
}

#[pymodule]
fn noetl_envelope_accel(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyProver>()
}
