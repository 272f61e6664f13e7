"""The native engine of noetl-envelope: the compiled `Prover` from rust/accel (PyO3).

maturin builds the extension `noetl_envelope_accel.noetl_envelope_accel` into this package (the
wheel, `pip install`, `make setup`); `noetl_envelope.accel` imports it optionally, so an install
without it still works, only slower.
"""

from .noetl_envelope_accel import Prover

__all__ = ["Prover"]
