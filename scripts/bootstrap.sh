#!/usr/bin/env bash
# Set up .venv from the pinned lock file. Used by `make run` and `make test`; safe to run again.
#   scripts/bootstrap.sh app   runtime dependencies only
#   scripts/bootstrap.sh dev   runtime and test dependencies (with the Spark engine: the tests run it on local[2])
#   scripts/bootstrap.sh spark runtime dependencies and the Spark engine (`pip install arrears[spark]`, Java 17)
# System packages are installed with apt when we are root (or have sudo without a password);
# otherwise the script stops and names the package to install.
set -euo pipefail
cd "$(dirname "$0")/.."
profile=${1:-dev}
lock="requirements/$profile.lock"
venv=.venv

say() { printf 'bootstrap: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

apt_install() {
    local pkgs=("$@")
    local sudo=""
    if [ "$(id -u)" -ne 0 ]; then
        if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then sudo="sudo -n"; else
            die "missing system package(s): ${pkgs[*]}. Install them with: sudo apt-get install ${pkgs[*]}"
        fi
    fi
    command -v apt-get >/dev/null || die "missing system package(s): ${pkgs[*]} (no apt-get here; install them with your package manager)"
    say "installing system package(s): ${pkgs[*]}"
    $sudo apt-get -o DPkg::Lock::Timeout=600 update -qq >/dev/null || true
    DEBIAN_FRONTEND=noninteractive $sudo apt-get -o DPkg::Lock::Timeout=600 install -y -qq "${pkgs[@]}" >/dev/null \
        || die "could not install ${pkgs[*]}; install them by hand: apt-get install ${pkgs[*]}"
}

# 1. A Python 3.11 or newer.
python=""
for candidate in ${PYTHON:-} python3.13 python3.12 python3.11 python3; do
    if command -v "$candidate" >/dev/null 2>&1 \
        && "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
        python=$(command -v "$candidate"); break
    fi
done
if [ -z "$python" ]; then
    apt_install python3 python3-venv
    python=$(command -v python3)
    "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
        || die "python3 is $("$python" --version); arrears needs Python 3.11 or newer (package python3.11)"
fi

# 2. venv with pip (Debian splits ensurepip into python3-venv / python3.X-venv).
if [ ! -x "$venv/bin/python" ]; then
    rm -rf "$venv"
    if ! "$python" -m venv "$venv" >/dev/null 2>&1; then
        rm -rf "$venv"
        ver=$("$python" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')
        apt_install "python$ver-venv"
        "$python" -m venv "$venv" || die "could not create $venv with $python"
    fi
    say "created $venv with $("$venv/bin/python" --version)"
fi

# 3. System packages the product needs: a Chinese font and Pango for the letters' PDFs (WeasyPrint embeds the font, LTR-1);
#    for the tests also Debian's Chromium, which the browser tests drive through Playwright, and Debian's dovecot, the
#    real IMAP server the complaint-mailbox tests start on loopback (tests/imap_server.py; they need no system service:
#    where the package starts one, `systemctl disable --now dovecot` stops it without harming the tests), and
#    espeak-ng, which speaks the sentences the speech-recognition test hears (tests/quality/speech_audio.py).
missing=()
ls /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc >/dev/null 2>&1 || missing+=(fonts-noto-cjk)
ldconfig -p 2>/dev/null | grep -q libpangoft2-1.0 || missing+=(libpango-1.0-0 libpangoft2-1.0-0)
if [ "$profile" = dev ] && ! command -v chromium >/dev/null 2>&1; then missing+=(chromium); fi
if [ "$profile" = dev ] && [ ! -x /usr/sbin/dovecot ] && ! command -v dovecot >/dev/null 2>&1; then missing+=(dovecot-imapd); fi
if [ "$profile" = dev ] && ! command -v espeak-ng >/dev/null 2>&1; then missing+=(espeak-ng); fi
# The Spark engine (`arrears run-daily --engine spark`, the dev and spark profiles): Spark 4 runs on Java 17 or newer.
java_ok() {
    local java=java
    if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ]; then java="$JAVA_HOME/bin/java"; fi
    command -v "$java" >/dev/null 2>&1 && "$java" -version 2>&1 | head -1 | grep -Eq '"(1[7-9]|[2-9][0-9])[."]'
}
if { [ "$profile" = dev ] || [ "$profile" = spark ]; } && ! java_ok; then missing+=(openjdk-17-jre-headless); fi
if [ ${#missing[@]} -gt 0 ]; then apt_install "${missing[@]}"; fi

# 4. Pinned dependencies, installed again only when the lock file changes.
stamp="$venv/.installed-$profile"
want=$(sha256sum "$lock" pyproject.toml | sha256sum | cut -c1-64)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    say "installing $lock"
    "$venv/bin/python" -m pip install -q --disable-pip-version-check --require-hashes -r "$lock"
    "$venv/bin/python" -m pip install -q --disable-pip-version-check --no-deps --no-build-isolation -e .
    echo "$want" > "$stamp"
fi
mkdir -p var
