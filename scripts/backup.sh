#!/usr/bin/env bash
# A dated backup for cron or a systemd timer (docs/deployment.md):
#   scripts/backup.sh BACKUP_ROOT [KEEP]
# writes BACKUP_ROOT/arrears-YYYYmmddTHHMMSSZ with `arrears backup` (the database, ARREARS_VAR and the ledger's
# anchors, with a manifest), then deletes the oldest complete backups beyond the newest KEEP (default 14).
# Only folders named arrears-<UTC time> holding a manifest.json are counted or deleted. Run it with the
# service's environment (EnvironmentFile=), as the service's user; ARREARS (default: arrears on PATH) names the
# command. Exit status: that of `arrears backup`; nothing is deleted when it failed.
set -euo pipefail
root=${1:?usage: scripts/backup.sh BACKUP_ROOT [KEEP]}
keep=${2:-14}
case $keep in '' | *[!0-9]* | 0) echo "backup.sh: KEEP must be a whole number above 0, got '$keep'" >&2; exit 2 ;; esac
arrears=${ARREARS:-arrears}
mkdir -p "$root"
target="$root/arrears-$(date -u +%Y%m%dT%H%M%SZ)"
"$arrears" backup --to "$target"
# The newest KEEP complete backups stay (names sort by time); older ones go.
mapfile -t complete < <(find "$root" -mindepth 2 -maxdepth 2 -path "$root/arrears-2*Z/manifest.json" -printf '%h\n' | sort)
excess=$((${#complete[@]} - keep))
for ((i = 0; i < excess; i++)); do
    rm -rf -- "${complete[$i]}"
    echo "backup.sh: removed the old backup ${complete[$i]}" >&2
done
