#!/usr/bin/env bash
# Prints a nats-server config with the strongest durability its server version supports.
#
#   bash infra/scripts/durable-conf.sh infra/nats/single.conf > data/single.conf && nats-server -c data/single.conf
#
# nats-server 2.10 and newer: `sync_interval: always` (fsync before every acknowledgement) is added at the top of the
# config's `jetstream {` block. nats-server 2.9 has no such option and refuses to start with it, so the config is
# printed unchanged (a 2-minute fsync timer: see infra/README.md, Durability).
# Env: NATS_SERVER_BIN (else PATH, /usr/sbin, /usr/local/bin). `--version-only` prints `always` or `default`.
set -euo pipefail

bin="${NATS_SERVER_BIN:-}"
if [[ -z "$bin" ]]; then
  bin="$(command -v nats-server 2>/dev/null || true)"
  for c in /usr/sbin/nats-server /usr/local/bin/nats-server; do [[ -z "$bin" && -x "$c" ]] && bin="$c"; done
fi
[[ -n "$bin" ]] || { echo "durable-conf: nats-server not found" >&2; exit 1; }

# `nats-server: v2.10.4` -> 2 10
read -r major minor < <("$bin" --version 2>&1 | sed -nE 's/.*v?([0-9]+)\.([0-9]+)\.[0-9]+.*/\1 \2/p' | head -1)
sync=default
if [[ -n "${major:-}" ]] && ((major > 2 || (major == 2 && minor >= 10))); then sync=always; fi

if [[ "${1:-}" == "--version-only" ]]; then echo "$sync"; exit 0; fi
conf="${1:?usage: durable-conf.sh <nats-server.conf> | --version-only}"
if [[ "$sync" == always ]]; then
  grep -q '^jetstream[[:space:]]*{' "$conf" || { echo "durable-conf: $conf has no 'jetstream {' block" >&2; exit 1; }
  sed -E '/^jetstream[[:space:]]*\{/a\  # added by infra/scripts/durable-conf.sh (nats-server >= 2.10): fsync before every ack\n  sync_interval: always' "$conf"
else
  cat "$conf"
fi
