"""A throwaway PostgreSQL server for the test suite, started from the machine's initdb/pg_ctl.

PostgreSQL refuses to run as root, so when the suite runs as root the server runs as the
unprivileged user ``nobody`` in a temporary directory that user owns.
"""

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def _binary(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return candidates[-1] if candidates else None


def available() -> bool:
    return _binary("initdb") is not None and _binary("pg_ctl") is not None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _prefix() -> list[str]:
    return ["runuser", "-u", "nobody", "--"] if os.geteuid() == 0 else []


def start() -> tuple[str, Path]:
    """Start a server; return a SQLAlchemy URL of an empty database, and the server's
    directory (for ``stop``)."""
    initdb, pg_ctl = _binary("initdb"), _binary("pg_ctl")
    assert initdb and pg_ctl, "PostgreSQL server binaries not found (make test installs them)"
    workdir = Path(tempfile.mkdtemp(prefix="interlocal-pg-"))
    if os.geteuid() == 0:
        shutil.chown(workdir, "nobody", "nogroup")
        workdir.chmod(0o700)
    data, port = workdir / "data", _free_port()

    def run(*args: str) -> None:
        subprocess.run([*_prefix(), *args], check=True, capture_output=True, cwd=workdir)

    run(initdb, "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C")
    options = f"-p {port} -k {workdir} -c listen_addresses=127.0.0.1 -c fsync=off"
    run(pg_ctl, "-D", str(data), "-o", options, "-l", str(workdir / "log"), "-w", "start")
    return f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres", workdir


def stop(workdir: Path) -> None:
    """Stop the server ``start`` made in ``workdir`` and delete it."""
    pg_ctl = _binary("pg_ctl")
    subprocess.run(
        [*_prefix(), str(pg_ctl), "-D", str(workdir / "data"), "-m", "immediate", "stop"],
        capture_output=True,
        cwd=workdir,
    )
    shutil.rmtree(workdir, ignore_errors=True)


@contextmanager
def running_postgres() -> Iterator[str]:
    """A server while the block runs; yields the URL of an empty database."""
    url, workdir = start()
    try:
        yield url
    finally:
        stop(workdir)


def _server(url: str) -> str:
    """The libpq address of the server's maintenance database, from any database's URL."""
    return url.rsplit("/", 1)[0].replace("postgresql+psycopg://", "postgresql://") + "/postgres"


def _name(url: str) -> str:
    return url.rsplit("/", 1)[1]


def create_database(server_url: str, name: str, template: str | None = None) -> str:
    """Create database ``name`` on the server, empty or as a copy of the database at URL
    ``template``, and return its URL."""
    import psycopg

    with psycopg.connect(_server(server_url), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if template is None:
            conn.execute(f'CREATE DATABASE "{name}"')
        else:
            # A template may have no other connection. The app's pools (and a warm-up
            # thread of an earlier app) can re-connect between the two statements, so a
            # refused copy is tried again.
            for attempt in range(50):
                conn.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE datname = %s AND pid <> pg_backend_pid()",
                    (_name(template),),
                )
                try:
                    conn.execute(
                        f'CREATE DATABASE "{name}" TEMPLATE "{_name(template)}" STRATEGY FILE_COPY'
                    )
                    break
                except psycopg.errors.ObjectInUse:
                    if attempt == 49:
                        raise
                    time.sleep(0.1)
    return server_url.rsplit("/", 1)[0] + f"/{name}"


def drop_database(url: str) -> None:
    import psycopg

    with psycopg.connect(_server(url), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{_name(url)}" WITH (FORCE)')


def make_read_only(url: str) -> None:
    """Every later transaction on the database at ``url`` is read-only (copies made from it
    with ``create_database`` are not: settings of a database are not copied)."""
    import psycopg

    with psycopg.connect(_server(url), autocommit=True) as conn:
        conn.execute(f'ALTER DATABASE "{_name(url)}" SET default_transaction_read_only = on')
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = %s AND pid <> pg_backend_pid()",
            (_name(url),),
        )
