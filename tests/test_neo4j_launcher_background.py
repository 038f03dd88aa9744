"""The launcher's background mode: `neo4j-local start` returns once Bolt answers, the server
outlives the shell that started it (stdin closed), writes a pid file and a log, and `stop` ends it."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import pytest

from tests.conftest import _in_ci
from tests.neo4j_server import LAUNCHER_DIR, LauncherError, Neo4jInfo, build_launcher, free_port, missing_tools, wait_for_driver

SCRIPT = LAUNCHER_DIR / "neo4j-local"


def test_start_in_the_background_with_stdin_closed_then_stop(tmp_path: Path) -> None:
    missing = missing_tools()
    if missing:
        (pytest.fail if _in_ci() else pytest.skip)(f"needs {' and '.join(missing)} on PATH")
    try:
        build_launcher()
    except LauncherError as e:
        (pytest.fail if _in_ci() else pytest.skip)(f"the launcher did not build: {e}")
    port = free_port()
    password = "bg-test-" + os.urandom(4).hex()
    env = {**os.environ, "KG_NEO4J_PASSWORD": password, "KG_NEO4J_HEAP": "512m"}
    opts = ["--port", str(port), "--data", str(tmp_path / "data"), "--log", str(tmp_path / "neo4j.log"),
            "--pid-file", str(tmp_path / "neo4j.pid")]
    start = subprocess.run([str(SCRIPT), *opts, "start"], stdin=subprocess.DEVNULL, capture_output=True,
                           text=True, env=env, timeout=300)
    pid_file = tmp_path / "neo4j.pid"
    try:
        assert start.returncode == 0, (start.stdout, start.stderr)
        assert f"bolt://127.0.0.1:{port}" in start.stdout
        pid = int(pid_file.read_text())
        time.sleep(2)  # the shell that started it is gone and its stdin closed: still serving
        os.kill(pid, 0)
        wait_for_driver(Neo4jInfo(f"bolt://127.0.0.1:{port}", "neo4j", password), timeout=30)
        status = subprocess.run([str(SCRIPT), *opts, "status"], capture_output=True, text=True, timeout=30)
        assert status.returncode == 0 and str(pid) in status.stdout
        assert "READY" in (tmp_path / "neo4j.log").read_text()
    finally:
        stop = subprocess.run([str(SCRIPT), *opts, "stop"], capture_output=True, text=True, timeout=120)
    assert stop.returncode == 0, (stop.stdout, stop.stderr)
    assert not pid_file.exists(), "the pid file goes with the server"
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def test_start_without_a_password_says_so(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "KG_NEO4J_PASSWORD"}
    p = subprocess.run([str(SCRIPT), "--pid-file", str(tmp_path / "p"), "start"], capture_output=True,
                       text=True, env=env, timeout=30, cwd=tmp_path)
    assert p.returncode == 2 and "set KG_NEO4J_PASSWORD" in p.stderr
