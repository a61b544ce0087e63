"""Private database servers for the tests: started on a free loopback port
in a temporary folder, stopped and removed afterwards; no system service is
touched. The servers come from Debian's packages, which `make test`
installs when they are missing (scripts/system-packages.sh)."""
from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def new_database(server_url: str, name: str) -> str:
    """A fresh, empty database on a PostgreSQL server; its URL."""
    import psycopg

    with psycopg.connect(server_url, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name}")
        admin.execute(f"CREATE DATABASE {name}")
    return server_url.rsplit("/", 1)[0] + "/" + name


def _postgres_bin(name: str) -> str:
    found = shutil.which(name) or next(iter(sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)),
                                       None)
    if not found:
        raise RuntimeError(f"PostgreSQL's {name} is not installed; `make test` installs Debian's postgresql")
    return found


@contextlib.contextmanager
def postgres_server():
    """Yield the URL of a fresh PostgreSQL server. PostgreSQL refuses to
    run as root: as root, the server runs as the `postgres` user Debian's
    package creates."""
    as_user: list[str] = []
    folder = tempfile.mkdtemp(prefix="govlaw-pg-")
    if os.geteuid() == 0:
        user = pwd.getpwnam("postgres")
        os.chown(folder, user.pw_uid, user.pw_gid)
        as_user = ["runuser", "-u", "postgres", "--"]
    data, port = os.path.join(folder, "data"), free_port()
    subprocess.run(as_user + [_postgres_bin("initdb"), "-D", data, "-A", "trust", "-U", "govlaw", "-E", "UTF8",
                              "--locale=C", "--no-sync"], check=True, capture_output=True)
    server = subprocess.Popen(as_user + [_postgres_bin("postgres"), "-D", data, "-p", str(port), "-k", folder,
                                         "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"postgresql://govlaw@127.0.0.1:{port}/postgres"
    try:
        _wait_for(port, server)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        shutil.rmtree(folder, ignore_errors=True)


def _wait_for(port: int, server, timeout: float = 30) -> None:
    import psycopg

    deadline = time.monotonic() + timeout
    while True:
        try:
            psycopg.connect(f"postgresql://govlaw@127.0.0.1:{port}/postgres", connect_timeout=2).close()
            return
        except psycopg.OperationalError:
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("PostgreSQL did not start: " + (server.stderr.read() or b"").decode()[-500:])
            time.sleep(0.1)


@contextlib.contextmanager
def redis_server(appendonly: bool = False):
    """Yield (URL, restart) of a fresh Redis server; restart() stops it and
    starts it again on the same port and data (its append-only file kept)."""
    folder = tempfile.mkdtemp(prefix="govlaw-redis-")
    port = free_port()
    binary = shutil.which("redis-server")
    if not binary:
        raise RuntimeError("redis-server is not installed; `make test` installs Debian's redis-server")
    args = [binary, "--port", str(port), "--bind", "127.0.0.1", "--dir", folder, "--save", "",
            "--appendonly", "yes" if appendonly else "no", "--appendfsync", "always"]
    state = {"proc": None}

    def start():
        state["proc"] = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 20
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                    s.sendall(b"PING\r\n")
                    if s.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                pass
            if state["proc"].poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("redis-server did not start")
            time.sleep(0.05)

    def stop():
        state["proc"].terminate()
        state["proc"].wait(timeout=20)

    def restart():
        stop()
        start()

    start()
    try:
        yield f"redis://127.0.0.1:{port}/0", restart
    finally:
        stop()
        shutil.rmtree(folder, ignore_errors=True)
