//! The Python module `noetl_envelope_accel` (cargo feature `python`, on by default): the class
//! `Prover`, a thin PyO3 wrapper around the plain Rust [`crate::Prover`]. Its errors (a bad
//! spec, an unknown profile) are raised as `ValueError` with the core's messages.

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyTuple};

use crate::PathPart;

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

    /// None ("don't know"), or what projecting `data` into `noetl.event` may change
    /// (`crate::Projection`), as `(changes, timestamps)`: each change as `(path, "number",
    /// [token], 1)` or `(path, "key-order", first four keys in JSONB's order, key count)`, in
    /// the order the prediction words them; each timestamp field to judge as `(name, start,
    /// end)`, the span of its JSON string. Both empty: projection loses nothing.
    fn project<'py>(
        &self,
        py: Python<'py>,
        data: &[u8],
        profile: &str,
    ) -> PyResult<Option<ProjectionTuple<'py>>> {
        let Some(projection) = self
            .0
            .project(data, profile)
            .map_err(PyValueError::new_err)?
        else {
            return Ok(None);
        };
        let mut changes = Vec::with_capacity(projection.changes.len());
        for change in projection.changes {
            changes.push(match change {
                crate::Change::Number { path, token } => {
                    (path_tuple(py, path)?, "number", vec![token], 1)
                }
                crate::Change::KeyOrder { path, first, count } => {
                    (path_tuple(py, path)?, "key-order", first, count)
                }
            });
        }
        let timestamps = projection
            .timestamps
            .into_iter()
            .map(|f| (f.name, f.start, f.end))
            .collect();
        Ok(Some((changes, timestamps)))
    }

    /// None ("don't know"), or what the document holds besides serde_json's own bytes, as
    /// `(misreads, unknown, missing, failing, aliases, keys)`: the float tokens serde_json's
    /// default parser misreads as `(path, token, read)` in document order (`path`: a tuple of
    /// keys and indices; `read`: the double serde_json reads), the undeclared top-level keys, the
    /// absent required fields, the fields failing the schema's string or i64 checks as `(name,
    /// start, end)`, the span of the value's JSON text, the top-level keys that are serde
    /// aliases, and where every top-level key's JSON string is, as `bytes` packing each key's
    /// start and end as native-endian u64 (one object for every listed line, read only where
    /// the key order matters: `memoryview(keys).cast("Q")`; see `crate::Verdict`). All but
    /// `keys` empty: valid.
    fn check<'py>(
        &self,
        py: Python<'py>,
        data: &[u8],
        profile: &str,
    ) -> PyResult<Option<VerdictTuple<'py>>> {
        let Some(verdict) = self.0.check(data, profile).map_err(PyValueError::new_err)? else {
            return Ok(None);
        };
        verdict_tuple(py, verdict).map(Some)
    }

    /// One pass over a buffer of NDJSON lines, with the GIL released (`crate::Prover::check_lines`):
    /// `(consumed, documents, blank_lines, listed)`, `listed` holding `(index, start, end,
    /// verdict)` per listed line (`verdict` as `check` answers it; None also for a line longer
    /// than `max_document_bytes`, which is not read). With `project`, a valid line is listed too
    /// unless `prove_projectable` would be true for it.
    #[pyo3(signature = (data, profile, max_document_bytes, list_valid, report_limit, project = false))]
    #[allow(clippy::too_many_arguments)]
    fn check_lines<'py>(
        &self,
        py: Python<'py>,
        data: &[u8],
        profile: &str,
        max_document_bytes: usize,
        list_valid: bool,
        report_limit: usize,
        project: bool,
    ) -> PyResult<LinesTuple<'py>> {
        let limits = crate::LineLimits {
            max_document_bytes,
            list_valid,
            report_limit,
            project,
        };
        let lines = py
            .detach(|| self.0.check_lines(data, profile, limits))
            .map_err(PyValueError::new_err)?;
        let mut listed = Vec::with_capacity(lines.listed.len());
        for line in lines.listed {
            let verdict = match line.verdict {
                Some(verdict) => Some(verdict_tuple(py, verdict)?),
                None => None,
            };
            listed.push((line.index, line.start, line.end, verdict));
        }
        Ok((lines.consumed, lines.documents, lines.blank_lines, listed))
    }
}

/// A [`crate::Lines`] as Python sees it: `(consumed, documents, blank_lines, listed)`, each
/// listed line as `(index, start, end, verdict)`.
type LinesTuple<'py> = (
    usize,
    usize,
    usize,
    Vec<(usize, usize, usize, Option<VerdictTuple<'py>>)>,
);

/// A [`crate::Verdict`] as Python sees it: `(misreads, unknown, missing, failing, aliases, keys)`,
/// each failing field as `(name, start, end)` (where its value's JSON text is in the document).
type VerdictTuple<'py> = (
    Vec<(Bound<'py, PyTuple>, String, f64)>,
    Vec<String>,
    Vec<String>,
    Vec<(String, usize, usize)>,
    Vec<String>,
    Bound<'py, PyBytes>,
);

/// A [`crate::Projection`] as Python sees it (see `PyProver::project`).
type ProjectionTuple<'py> = (
    Vec<(Bound<'py, PyTuple>, &'static str, Vec<String>, usize)>,
    Vec<(String, usize, usize)>,
);

/// A path as Python's tuple of keys (str) and indices (int).
fn path_tuple(py: Python<'_>, path: Vec<PathPart>) -> PyResult<Bound<'_, PyTuple>> {
    let mut parts = Vec::with_capacity(path.len());
    for part in path {
        parts.push(match part {
            PathPart::Key(key) => key.into_pyobject(py)?.into_any(),
            PathPart::Index(index) => index.into_pyobject(py)?.into_any(),
        });
    }
    PyTuple::new(py, parts)
}

fn verdict_tuple(py: Python<'_>, verdict: crate::Verdict) -> PyResult<VerdictTuple<'_>> {
    let mut misreads = Vec::with_capacity(verdict.misreads.len());
    for misread in verdict.misreads {
        misreads.push((
            path_tuple(py, misread.path)?,
            misread.token,
            f64::from_bits(misread.read_bits),
        ));
    }
    let failing = verdict
        .failing
        .into_iter()
        .map(|f| (f.name, f.start, f.end))
        .collect();
    Ok((
        misreads,
        verdict.unknown,
        verdict.missing,
        failing,
        verdict.aliases,
        PyBytes::new(py, &packed_spans(&verdict.keys)),
    ))
}

/// `spans` as native-endian u64 pairs (start, end), the layout of `memoryview.cast("Q")`.
fn packed_spans(spans: &[(usize, usize)]) -> Vec<u8> {
    let mut packed = Vec::with_capacity(spans.len() * 16);
    for &(start, end) in spans {
        packed.extend_from_slice(&(start as u64).to_ne_bytes());
        packed.extend_from_slice(&(end as u64).to_ne_bytes());
    }
    packed
}

#[pymodule]
fn noetl_envelope_accel(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyProver>()
}
