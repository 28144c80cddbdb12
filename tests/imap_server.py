"""A real IMAP server on loopback for tests: Debian's dovecot (package dovecot-imapd), started as a plain process.

`imap_server` (a pytest fixture; import it into the test module that uses it) writes a throw-away configuration
under the test's tmp_path (state, log file, a passwd-file with one user, the maildir), puts dovecot's base_dir
(its unix sockets, whose paths must stay short) in a fresh /tmp/imap-* directory, and runs
`dovecot -F -c <tmp>/dovecot.conf` listening on 127.0.0.1 at a free port, without TLS. No system service, nothing
under /etc or /var, no shared path: two xdist workers each start their own.

As an ordinary user every dovecot process runs as that user, unchrooted. As root (dovecot refuses root for its
login and mail processes): the login processes run as Debian's dovenull (or nobody), chrooted into base_dir as by
default, and the mail processes as nobody, chrooted into <tmp>/mail (the "/./" in the user's home), since
tmp_path's parents are open to root only. Both were tried. Dovecot is started without libfaketime (LD_PRELOAD and
FAKETIME* are dropped from its environment): a server is not the code under test, and a faked clock only makes it
warn. It takes an INTERNALDATE in its (real) future as the time of delivery, so tests APPEND past dates.

Without dovecot installed the fixture fails with the package to install (scripts/bootstrap.sh dev installs it).
"""

from __future__ import annotations

import grp
import imaplib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from net import free_port

_CONF = """\
base_dir = {run}
state_dir = {root}/state
log_path = {root}/dovecot.log
info_log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = {user}
default_internal_group = {group}
default_login_user = {login_user}
first_valid_uid = 0
first_valid_gid = 0
mail_location = maildir:~/Maildir
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/users
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={home}
}}
valid_chroot_dirs = {root}/mail
service imap-login {{
  chroot = {chroot}
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot = {chroot}
}}
service auth {{
  user = {user}
}}
service auth-worker {{
  user = {user}
}}
"""

# Attempts of 0.05 s each (a count, never a timed wait: the suite may run under a frozen-then-stepped clock).
_START_ATTEMPTS = 400
_STOP_ATTEMPTS = 200


@dataclass(frozen=True)
class ImapServer:
    host: str
    port: int
    user: str
    password: str
    root: Path

    def connect(self) -> imaplib.IMAP4:
        conn = imaplib.IMAP4(self.host, self.port, timeout=10)
        conn.login(self.user, self.password)
        return conn

    def append(self, raw: bytes, *, folder: str = "INBOX", internaldate: str | None = None) -> None:
        """Deliver one message by IMAP APPEND (internaldate: e.g. '"01-Mar-2027 09:30:00 +0800"')."""
        conn = self.connect()
        try:
            typ, data = conn.append(folder, "", internaldate, raw)
            assert typ == "OK", data
        finally:
            conn.logout()

    def log(self) -> str:
        path = self.root / "dovecot.log"
        return path.read_text(errors="replace") if path.exists() else ""


def _unprivileged() -> str:
    for name in ("dovenull", "nobody"):
        try:
            pwd.getpwnam(name)
            return name
        except KeyError:
            continue
    pytest.fail("running as root, dovecot's login process needs an unprivileged user: dovenull or nobody")


def _fatal(root: Path) -> bool:
    path = root / "dovecot.log"
    return path.exists() and (
        "Fatal:" in path.read_text(errors="replace") or "Error:" in path.read_text(errors="replace")
    )


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
            return sock.recv(64).startswith(b"* OK")
    except OSError:
        return False


@pytest.fixture
def imap_server(tmp_path):
    dovecot = shutil.which("dovecot") or ("/usr/sbin/dovecot" if Path("/usr/sbin/dovecot").exists() else None)
    if dovecot is None:
        pytest.fail("dovecot is not installed: apt-get install dovecot-imapd (scripts/bootstrap.sh dev does it)")
    root = tmp_path / "dovecot"
    # Dovecot's base_dir holds its unix sockets, whose paths must stay under 108 bytes: a short directory of its
    # own (mkdtemp, so unique per test and per xdist worker), removed at teardown; the rest lives in tmp_path.
    run = Path(tempfile.mkdtemp(prefix="imap-"))
    for sub in ("state", "mail"):
        (root / sub).mkdir(parents=True)
    me = pwd.getpwuid(os.getuid())
    group = grp.getgrgid(os.getgid()).gr_name
    user, password = "complaints", "imap-test-password"
    (root / "users").write_text(f"{user}:{{PLAIN}}{password}::::::\n", encoding="utf-8")
    port = free_port()
    conf = root / "dovecot.conf"
    if os.getuid() == 0:
        # Login and mail processes refuse root. Debian's dovenull (or nobody) logs in, chrooted as dovecot's default;
        # nobody owns the mail, chrooted into <tmp>/mail (the "/./" in home), since tmp_path's parents are root's only.
        login_user, chroot = _unprivileged(), "login"
        owner = pwd.getpwnam("nobody")
        uid, gid, home = owner.pw_uid, owner.pw_gid, f"{root}/mail/./{user}"
        (root / "mail" / user).mkdir()
        os.chown(root / "mail" / user, uid, gid)
    else:
        login_user, chroot = me.pw_name, ""
        uid, gid, home = me.pw_uid, me.pw_gid, f"{root}/mail/{user}"
    conf.write_text(
        _CONF.format(
            root=root,
            run=run,
            user=me.pw_name,
            group=group,
            login_user=login_user,
            chroot=chroot,
            port=port,
            uid=uid,
            gid=gid,
            home=home,
        ),
        encoding="utf-8",
    )
    env = {k: v for k, v in os.environ.items() if k != "LD_PRELOAD" and not k.startswith("FAKETIME")}
    proc = subprocess.Popen(
        [dovecot, "-F", "-c", str(conf)],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=(root / "stderr.log").open("wb"),
    )
    try:
        for _ in range(_START_ATTEMPTS):
            if proc.poll() is not None or _fatal(root) or _answers(port):
                break
            time.sleep(0.05)
        if proc.poll() is not None or _fatal(root) or not _answers(port):
            stderr = (root / "stderr.log").read_text(errors="replace")
            pytest.fail(
                f"dovecot did not start on 127.0.0.1:{port}:\n{stderr}\n{ImapServer('', 0, '', '', root).log()}"
            )
        yield ImapServer("127.0.0.1", port, user, password, root)
    finally:
        proc.terminate()
        for _ in range(_STOP_ATTEMPTS):
            if proc.poll() is not None:
                break
            time.sleep(0.05)
        else:
            proc.kill()
            proc.wait()
        shutil.rmtree(run, ignore_errors=True)
