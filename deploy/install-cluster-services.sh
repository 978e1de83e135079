#!/usr/bin/env bash
# Installs what the cluster tests start on loopback, from Debian's packages, when missing:
#   postgresql     Dagster's instance storage in the cluster profile (dagster-postgres)
#   redis-server   the Celery broker and result backend
# Neither is started as a system service here: the tests run their own throwaway servers.
set -euo pipefail
have_postgres() { ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null 2>&1; }
need=()
have_postgres || need+=(postgresql)
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
if [ ${#need[@]} -eq 0 ]; then
    exit 0
fi
echo "installing ${need[*]} (Debian packages) for the cluster tests"
if ! command -v apt-get >/dev/null 2>&1; then
    echo "WARNING: no apt-get: install ${need[*]} by hand; the cluster tests skip without them"
    exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if ! command -v sudo >/dev/null 2>&1; then
        echo "WARNING: not root and no sudo: install ${need[*]} by hand; the cluster tests skip without them"
        exit 0
    fi
    SUDO="sudo"
fi
$SUDO apt-get update -qq || true
# policy-rc.d keeps the packages' post-install scripts from starting system-wide servers.
if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
    $SUDO chmod +x /usr/sbin/policy-rc.d
    trap '$SUDO rm -f /usr/sbin/policy-rc.d' EXIT
fi
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null \
    || echo "WARNING: ${need[*]} could not be installed; the cluster tests will be skipped"
