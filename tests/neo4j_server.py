"""Start and stop a real Neo4j for the tests: the Maven-built launcher in tools/neo4j-launcher."""

from __future__ import annotations

import fcntl
import os
import secrets
import shlex
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "LAUNCHER_DIR",
    "JVM_FLAGS",
    "SERVER_JVM_FLAGS",
    "Neo4jInfo",
    "LauncherError",
    "missing_tools",
    "build_launcher",
    "free_port",
    "Neo4jServer",
    "wait_for_driver",
    "run_admin_import",
]

LAUNCHER_DIR = Path(__file__).resolve().parent.parent / "tools" / "neo4j-launcher"
_JAR = LAUNCHER_DIR / "target" / "neo4j-launcher-1.0.jar"
_LIB = LAUNCHER_DIR / "target" / "lib"
_MAIN = "kg.neo4j.Launcher"
JVM_FLAGS = (
    "-Xms1g",
    "-Xmx2g",
    # a short-lived test server on 2 cores: C1 only and the parallel GC cut the server's CPU for
    # a cold load of 24k papers from 25 s to 14 s (C2 compiles never pay back in a test run)
    "-XX:TieredStopAtLevel=1",
    "-XX:+UseParallelGC",
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "-Dio.netty.tryReflectionSetAccessible=true",
)
# What a long-running server uses (full JIT, the default G1 collector): the benchmark's choice,
# since a server that loads data all day has compiled its hot paths.
SERVER_JVM_FLAGS = tuple(f for f in JVM_FLAGS if f not in ("-XX:TieredStopAtLevel=1", "-XX:+UseParallelGC"))
HOW_TO_RUN = (
    "install a JDK 17+ and Maven (apt-get install -y openjdk-17-jdk-headless maven) so the tests "
    "can start Neo4j themselves, or point them at a running server with NEO4J_URI, NEO4J_USER "
    "and NEO4J_PASSWORD (for example `docker compose up -d` and NEO4J_URI=bolt://localhost:7687; "
    "the tests delete every node in that database, so never point them at data you keep)"
)


class LauncherError(RuntimeError):
    """The launcher could not be built or Neo4j did not start; the message says why."""


@dataclass(frozen=True)
class Neo4jInfo:
    """Where a running Neo4j answers. ``repr`` hides the password."""

    uri: str
    user: str
    password: str
    database: str = "neo4j"

    def __repr__(self) -> str:
        return f"Neo4jInfo(uri={self.uri!r}, user={self.user!r}, database={self.database!r})"

    def __iter__(self):  # (uri, user, password), as the fixture promises
        return iter((self.uri, self.user, self.password))


def missing_tools() -> list[str]:
    """The programs the launcher needs that are not on PATH (java, mvn)."""
    return [t for t in ("java", "mvn") if shutil.which(t) is None]


def _sources() -> list[Path]:
    return [LAUNCHER_DIR / "pom.xml", *sorted((LAUNCHER_DIR / "src").rglob("*.java"))]


def _up_to_date() -> bool:
    if not _JAR.is_file() or not _LIB.is_dir() or not any(_LIB.glob("neo4j-harness-*.jar")):
        return False
    built = _JAR.stat().st_mtime
    return all(p.stat().st_mtime <= built for p in _sources())


def build_launcher(timeout: float = 900.0) -> float:
    """Build the launcher with Maven unless it is up to date; returns the seconds spent building.

    A file lock keeps two test runs from building at once. The first build downloads the
    harness into ``~/.m2``; later builds are offline-fast.
    """
    LAUNCHER_DIR.joinpath("target").mkdir(exist_ok=True)
    with open(LAUNCHER_DIR / "target" / ".build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if _up_to_date():
            return 0.0
        t0 = time.monotonic()
        cmd = ["mvn", "-q", "-B", "package"]
        try:
            r = subprocess.run(
                cmd, cwd=LAUNCHER_DIR, capture_output=True, text=True, timeout=timeout, check=False
            )
        except subprocess.TimeoutExpired as e:
            raise LauncherError(f"`mvn package` in {LAUNCHER_DIR} took over {timeout:.0f} s") from e
        if r.returncode != 0 or not _up_to_date():
            tail = "\n".join((r.stdout + r.stderr).strip().splitlines()[-25:])
            raise LauncherError(
                f"`{' '.join(cmd)}` in {LAUNCHER_DIR} failed (exit {r.returncode}); "
                f"Maven Central must be reachable for the first build:\n{tail}"
            )
        return time.monotonic() - t0


def run_admin_import(folder: Path, workdir: Path, jvm_flags: tuple[str, ...] = JVM_FLAGS,
                     timeout: float = 300.0, *, heap: str = "1g",
                     extra: tuple[str, ...] = ()) -> subprocess.CompletedProcess[str]:
    """Run neo4j-admin's own importer (in the launcher's classpath) on a `kg export --format
    neo4j-admin` or `kg assemble` folder, as its ``import-command.txt`` says (plus ``extra``
    options, e.g. ``--threads=4``), with a ``heap`` of -Xmx (neo4j-admin's HEAP_SIZE), into a fresh
    NEO4J_HOME under ``workdir`` (where it writes import.report)."""
    args = shlex.split((folder / "import-command.txt").read_text())
    home = workdir / "home"
    (home / "conf").mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "NEO4J_HOME": str(home), "NEO4J_CONF": str(home / "conf")}
    flags = [f for f in jvm_flags if not f.startswith("-Xm")]
    return subprocess.run(["java", *flags, f"-Xmx{heap}", "-cp", f"{LAUNCHER_DIR / 'target' / 'lib'}/*",
                           "org.neo4j.cli.AdminTool", *args[1:5], *extra, *args[5:]],
                          capture_output=True, text=True, env=env, timeout=timeout, check=False, cwd=workdir)


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nothing listens on right now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def wait_for_driver(info: Neo4jInfo, timeout: float = 60.0) -> None:
    """Wait until the Python driver can log in and run ``RETURN 1``."""
    from neo4j import GraphDatabase

    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        try:
            with GraphDatabase.driver(info.uri, auth=(info.user, info.password)) as d:
                recs, _, _ = d.execute_query("RETURN 1 AS one", database_=info.database)
                if recs and recs[0]["one"] == 1:
                    return
        except Exception as e:  # noqa: BLE001 - any failure but a refused login means "not yet"
            if "Security" in (getattr(e, "code", None) or "") or type(e).__name__ == "AuthError":
                raise LauncherError(f"Neo4j at {info.uri} refused the login of user {info.user!r}: "
                                    f"wrong NEO4J_USER or NEO4J_PASSWORD ({getattr(e, 'code', '')})") from e
            last = e
        time.sleep(0.25)
    raise LauncherError(f"Neo4j at {info.uri} did not answer RETURN 1 within {timeout:.0f} s: {last!r}")


class Neo4jServer:
    """One launcher process: ``start()`` returns a :class:`Neo4jInfo`, ``stop()`` ends it.

    The process reads its stdin and stops when that closes, so it dies with the test run even if
    pytest is killed.
    """

    def __init__(self, host: str = "127.0.0.1", start_timeout: float = 120.0,
                 jvm_flags: tuple[str, ...] = JVM_FLAGS, copy_from: Path | None = None) -> None:
        self.host = host
        self.copy_from = copy_from  # a NEO4J_HOME (as run_admin_import fills) to start from
        self.jvm_flags = jvm_flags
        self.start_timeout = start_timeout
        self.info: Neo4jInfo | None = None
        self.startup_seconds = 0.0
        self._proc: subprocess.Popen[bytes] | None = None
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        self._lines: list[str] = []
        self._ready = threading.Event()

    @property
    def pid(self) -> int | None:
        """The JVM's process id while it runs (the freeze test stops and continues it)."""
        return self._proc.pid if self._proc is not None and self._proc.poll() is None else None

    @property
    def log_path(self) -> Path | None:
        return Path(self._tmp.name) / "neo4j.log" if self._tmp else None

    def start(self) -> Neo4jInfo:
        for attempt in range(3):  # a port can be taken between free_port() and the bind
            try:
                return self._start_once(free_port(self.host))
            except LauncherError:
                self.stop()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def _start_once(self, port: int) -> Neo4jInfo:
        t0 = time.monotonic()
        self._tmp = tempfile.TemporaryDirectory(prefix="kg-neo4j-")
        password = "kg-test-" + secrets.token_hex(8)
        env = {**os.environ, "KG_LAUNCHER_PASSWORD": password}
        if self.copy_from is not None:
            env["KG_LAUNCHER_COPY_FROM"] = str(self.copy_from)
        classpath = f"{_JAR}{os.pathsep}{_LIB}/*"
        cmd = ["java", *self.jvm_flags, "-cp", classpath, _MAIN, self.host, str(port), "-",
               str(Path(self._tmp.name) / "db")]
        log = open(self.log_path, "wb")  # noqa: SIM115 - closed by the reader thread
        self._lines, self._ready = [], threading.Event()
        self._proc = subprocess.Popen(
            cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log, env=env,
            start_new_session=True,  # a Ctrl-C in the terminal reaches pytest, which stops us
        )
        threading.Thread(target=self._drain, args=(self._proc, log), daemon=True).start()
        deadline = t0 + self.start_timeout
        while not self._ready.wait(0.2):
            if self._proc.poll() is not None or time.monotonic() > deadline:
                why = "exited with code %s" % self._proc.poll() if self._proc.poll() is not None \
                    else f"printed no READY line within {self.start_timeout:.0f} s"
                tail = self.log_path.read_text(errors="replace").strip().splitlines()[-20:]
                raise LauncherError(
                    f"the Neo4j launcher on {self.host}:{port} {why}; log {self.log_path}:\n"
                    + "\n".join(self._lines[-5:] + tail)
                )
        info = Neo4jInfo(f"bolt://{self.host}:{port}", "neo4j", password)
        wait_for_driver(info, timeout=max(5.0, deadline - time.monotonic()))
        self.info = info
        self.startup_seconds = time.monotonic() - t0
        return info

    def _drain(self, proc: subprocess.Popen[bytes], log) -> None:
        assert proc.stdout is not None
        for raw in proc.stdout:
            line = raw.decode("utf-8", "replace").rstrip("\n")
            self._lines.append(line)
            log.write(raw)
            log.flush()
            if line.startswith("READY "):
                self._ready.set()
        log.close()

    def stop(self, timeout: float = 60.0) -> None:
        """Close the launcher's stdin (it shuts Neo4j down), then SIGTERM, then SIGKILL."""
        proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            try:
                assert proc.stdin is not None
                proc.stdin.close()
            except OSError:
                pass
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                proc.terminate()
                try:
                    proc.wait(15)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None
        self.info = None

    def __enter__(self) -> Neo4jInfo:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
