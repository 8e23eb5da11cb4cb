"""README.md's examples for data teams run as written (in a fresh interpreter, with a keyset
the tool made in the working directory), so the README cannot drift from the package."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pyarrow as pa

import phonetoken
from conftest import ROOT, cli

HEADING = "## For data teams"


def blocks(info: str) -> list[str]:
    text = (ROOT / "README.md").read_text()
    section = text[text.index(HEADING) :]
    section = section[: section.index("\n## ", len(HEADING))]
    return re.findall(rf"```{info}\n(.*?)```", section, re.S)


def run(code: str, cwd) -> str:
    env = {**os.environ, "PYSPARK_PYTHON": sys.executable}
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=cwd, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def test_readme_examples_run_as_written(tmp_path):
    install = blocks("sh")
    assert len(install) == 1 and "pip install ./python" in install[0]
    spark_example, duckdb_example, find_example = blocks("python")
    cli("keygen", "--output", str(tmp_path / "keys.json"))
    assert "pts.pseudonymize" in spark_example
    run(spark_example, tmp_path)
    out = run(duckdb_example, tmp_path)
    keys = phonetoken.Keyset.from_file(tmp_path / "keys.json")
    pseudonym = keys.pseudonymize("+14155552671")
    # DuckDB's box cuts long values, so the pseudonym's first characters are what is shown.
    assert out.count("+14155552671") == 2 and out.count(pseudonym[:12]) == 2
    assert "NULL" in out
    assert "phonetoken.find" in find_example
    run(find_example, tmp_path)
    assert phonetoken.pseudonymize(pa.array(["n/a"]), keys).to_pylist() == [None]
