"""Real mail and database servers on loopback for the intake tests: Dovecot and a
throwaway PostgreSQL cluster that a test can stop hard."""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.peers import free_port

DOVECOT_CONFIG = """\
base_dir = {d}/run
state_dir = {d}/state
protocols = {protocols}
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
log_path = {d}/dovecot.log
first_valid_uid = 1
mail_location = maildir:{d}/mail/%u
passdb {{
  driver = passwd-file
  args = scheme=PLAIN {d}/passwd
}}
userdb {{
  driver = passwd-file
  args = {d}/passwd
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
{pop3_service}"""

POP3_SERVICE = """\
service pop3-login {{
  inet_listener pop3 {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener pop3s {{
    port = 0
  }}
}}
"""


@dataclass
class ImapPeer:
    host: str
    port: int
    user: str
    password: str
    pop3_port: int | None = None

    def client(self):  # type: ignore[no-untyped-def]
        from imapclient import IMAPClient

        client = IMAPClient(self.host, port=self.port, ssl=False, timeout=10)
        client.login(self.user, self.password)
        return client

    def append(self, *messages: bytes, folder: str = "INBOX") -> None:
        client = self.client()
        try:
            for raw in messages:
                client.append(folder, raw)
        finally:
            client.logout()


def _wait_for_port(port: int, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port}")


@pytest.fixture
def imap_peer() -> Iterator[ImapPeer]:
    """Dovecot on a free loopback port with one user, its own config under a temp dir."""
    dovecot = shutil.which("dovecot") or "/usr/sbin/dovecot"
    if not os.path.exists(dovecot):
        pytest.skip("Dovecot is not installed: run 'make system-deps' (dovecot-imapd)")
    try:
        owner = pwd.getpwnam("dovecot")
    except KeyError:
        pytest.skip("the 'dovecot' system user is missing")
    directory = Path(tempfile.mkdtemp(prefix="tresen-dovecot-"))
    directory.chmod(0o755)
    port = free_port()
    # POP3 too when dovecot-pop3d is installed; the POP3 tests skip otherwise.
    pop3_port = free_port() if Path("/usr/lib/dovecot/pop3").exists() else None
    (directory / "mail").mkdir()
    (directory / "dovecot.conf").write_text(
        DOVECOT_CONFIG.format(
            d=directory,
            port=port,
            protocols="imap pop3" if pop3_port else "imap",
            pop3_service=POP3_SERVICE.format(port=pop3_port) if pop3_port else "",
        )
    )
    (directory / "passwd").write_text(
        f"helpdesk:{{PLAIN}}imap-secret:{owner.pw_uid}:{owner.pw_gid}::{directory}/mail/helpdesk::\n"
    )
    os.chown(directory / "mail", owner.pw_uid, owner.pw_gid)
    subprocess.run([dovecot, "-c", str(directory / "dovecot.conf")], check=True, timeout=30)
    try:
        _wait_for_port(port)
        if pop3_port:
            _wait_for_port(pop3_port)
        yield ImapPeer("127.0.0.1", port, "helpdesk", "imap-secret", pop3_port)
    finally:
        pid_file = directory / "run" / "master.pid"
        if pid_file.exists():
            pid = int(pid_file.read_text().strip())
            os.kill(pid, signal.SIGTERM)
            for _ in range(50):
                try:
                    os.kill(pid, 0)
                except ProcessLookupError:
                    break
                time.sleep(0.1)
        shutil.rmtree(directory, ignore_errors=True)


@dataclass
class PostgresPeer:
    directory: Path
    port: int
    pg_ctl: str

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str) -> None:
        subprocess.run(
            ["runuser", "-u", "postgres", "--", self.pg_ctl, *args],
            check=True,
            timeout=60,
            capture_output=True,
        )

    def start(self) -> None:
        self._run(
            "-D",
            str(self.directory / "data"),
            "-l",
            str(self.directory / "log"),
            "-o",
            f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 -c fsync=off",
            "-w",
            "start",
        )

    def stop_hard(self) -> None:
        """Pull the plug: no checkpoint, no goodbye to the clients."""
        self._run("-D", str(self.directory / "data"), "-m", "immediate", "-w", "stop")


@pytest.fixture
def throwaway_postgres() -> Iterator[PostgresPeer]:
    """A PostgreSQL cluster of the test's own on a free port, to stop and start at will."""
    initdb, pg_ctl = shutil.which("initdb"), shutil.which("pg_ctl")
    if not (initdb and pg_ctl and shutil.which("runuser")):
        pytest.skip("PostgreSQL server binaries (initdb, pg_ctl) are not installed")
    try:
        owner = pwd.getpwnam("postgres")
    except KeyError:
        pytest.skip("the 'postgres' system user is missing")
    directory = Path(tempfile.mkdtemp(prefix="tresen-pg-"))
    os.chown(directory, owner.pw_uid, owner.pw_gid)
    subprocess.run(
        ["runuser", "-u", "postgres", "--", initdb, "-D", str(directory / "data"), "-A", "trust"],
        check=True,
        timeout=120,
        capture_output=True,
    )
    peer = PostgresPeer(directory, free_port(), pg_ctl)
    peer.start()
    try:
        yield peer
    finally:
        with contextlib.suppress(subprocess.CalledProcessError):  # stopped by the test
            peer.stop_hard()
        shutil.rmtree(directory, ignore_errors=True)
