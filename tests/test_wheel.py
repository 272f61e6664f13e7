"""The wheel installs into a fresh venv and works outside the source tree."""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from envelope import complete

pytestmark = pytest.mark.slow

DOC = complete(
    b'{"execution_id":1,"event_type":"step.enter","step":"s","status":"STARTED",'
    b'"created_at":"2024-01-01T00:00:00Z","context":{}}'
)


def test_wheel_installs_imports_and_finds_its_schema(repo_root: Path, tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    # maturin's PEP 517 backend runs the `maturin` executable: this interpreter's, on PATH.
    build_env = dict(os.environ, PATH=os.pathsep.join([str(Path(sys.executable).parent), os.environ["PATH"]]))
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(dist), str(repo_root)],
        check=True,
        capture_output=True,
        env=build_env,
    )
    (wheel,) = dist.glob("noetl_envelope-*.whl")
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=False, system_site_packages=True).create(env_dir)
    python = env_dir / "bin" / "python"
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps", str(wheel)],
        check=True,
        capture_output=True,
    )
    probe = (
        "import noetl_envelope, noetl_envelope_generated, pathlib\n"
        "from noetl_envelope.model.schema import schema_path, load_schema\n"
        f"assert not str(pathlib.Path(noetl_envelope.__file__)).startswith({str(repo_root)!r})\n"
        "assert 'site-packages' in str(schema_path()), schema_path()\n"
        "assert load_schema()['title'] == 'ExecutorEvent'\n"
        "assert (pathlib.Path(noetl_envelope.__file__).parent / 'py.typed').is_file()\n"
        f"doc = {DOC!r}\n"
        "assert noetl_envelope.validate(doc, profile='canonical') == []\n"
        "print(noetl_envelope.decode(doc).step)\n"
    )
    out = subprocess.run(
        [str(python), "-c", probe], cwd=tmp_path, capture_output=True, text=True, env={"PATH": "/usr/bin:/bin"}
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "s"
    cli = subprocess.run(
        [str(env_dir / "bin" / "noetl-envelope"), "--version"], cwd=tmp_path, capture_output=True, text=True
    )
    assert cli.returncode == 0, cli.stderr
    assert cli.stdout.splitlines()[0].endswith("(engine: native)"), cli.stdout  # the wheel carries the native engine
