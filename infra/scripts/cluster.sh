#!/usr/bin/env bash
# A 3-node NATS JetStream cluster ("hvs-nvm") on loopback, for development and fault tests.
#
#   infra/scripts/cluster.sh start  [dir]   start n1..n3, wait for a JetStream meta leader
#   infra/scripts/cluster.sh stop   [dir]   stop them (by the pids in <dir>/nX.pid only)
#   infra/scripts/cluster.sh status [dir]   show pids, ports and the meta leader; exit 1 unless all up
#
# dir: where the nodes keep their JetStream stores (<dir>/n1 ...), logs (<dir>/nX.log), pid
#      files (<dir>/nX.pid) and the configs they run (<dir>/nX.conf: infra/nats/cluster/nX.conf, plus
#      `sync_interval: always` on nats-server 2.10+, see durable-conf.sh). Default: $HVS_NVM_CLUSTER_DIR, else ./data/cluster (relative to the cwd).
# Env:  NATS_SERVER_BIN          nats-server binary (else PATH, /usr/sbin, /usr/local/bin)
#       HVS_NVM_CLUSTER_TIMEOUT  seconds to wait for the meta leader (default 60)
#
# Ports (fixed in infra/nats/cluster/nX.conf): clients 14222-14224, routes 16222-16224,
# monitoring 18222-18224. Point HVS-NVM at it with
#   NATS_URL=nats://127.0.0.1:14222,nats://127.0.0.1:14223,nats://127.0.0.1:14224 HVS_NVM_REPLICAS=3
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CONF_DIR="$(cd "$HERE/../nats/cluster" && pwd)"
NODES=(n1 n2 n3)
declare -A CLIENT_PORT=([n1]=14222 [n2]=14223 [n3]=14224)
declare -A ROUTE_PORT=([n1]=16222 [n2]=16223 [n3]=16224)
declare -A HTTP_PORT=([n1]=18222 [n2]=18223 [n3]=18224)
TIMEOUT="${HVS_NVM_CLUSTER_TIMEOUT:-60}"

usage() {
  echo "usage: $0 start|stop|status [dir]   (dir default: \${HVS_NVM_CLUSTER_DIR:-./data/cluster})" >&2
  exit 2
}

log() { echo "cluster: $*" >&2; }

find_bin() {
  local c
  if [[ -n "${NATS_SERVER_BIN:-}" && -x "${NATS_SERVER_BIN}" ]]; then echo "$NATS_SERVER_BIN"; return; fi
  if c="$(command -v nats-server 2>/dev/null)"; then echo "$c"; return; fi
  for c in /usr/sbin/nats-server /usr/local/bin/nats-server /usr/bin/nats-server; do
    if [[ -x "$c" ]]; then echo "$c"; return; fi
  done
  log "nats-server not found; run: node infra/scripts/ensure-nats-server.mjs"
  exit 1
}

# True when the pid in <dir>/<node>.pid is alive and really is a nats-server (guards against pid reuse).
node_pid() {
  local node="$1" pid
  [[ -f "$DIR/$node.pid" ]] || return 1
  pid="$(tr -dc '0-9' <"$DIR/$node.pid")"
  [[ -n "$pid" ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  if [[ -r "/proc/$pid/cmdline" ]] && ! tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q 'nats-server'; then
    return 1
  fi
  echo "$pid"
}

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Prints one line per node, in NODES order: "<leader|-> <cluster_size|-> [error]", from its /jsz.
probe_jsz() {
  node --input-type=module -e '
    const ports = process.argv.slice(1);
    const out = await Promise.all(ports.map(async (p) => {
      try {
        const r = await fetch(`http://127.0.0.1:${p}/jsz`, { signal: AbortSignal.timeout(2000) });
        const j = await r.json();
        const m = j.meta_cluster ?? {};
        return `${m.leader || "-"} ${m.cluster_size ?? "-"}`;
      } catch (e) { return `- - ${e.cause?.code ?? e.name}`; }
    }));
    console.log(out.join("\n"));
  ' "${HTTP_PORT[n1]}" "${HTTP_PORT[n2]}" "${HTTP_PORT[n3]}"
}

# Waits until all three nodes agree on one meta leader in a cluster of 3.
wait_leader() {
  local deadline=$((SECONDS + TIMEOUT)) lines leaders node
  while :; do
    for node in "${NODES[@]}"; do
      if ! node_pid "$node" >/dev/null; then
        log "$node exited during start; last lines of $DIR/$node.log:"
        tail -n 20 "$DIR/$node.log" >&2 2>/dev/null || true
        return 1
      fi
    done
    lines="$(probe_jsz)"
    leaders="$(awk '$1 != "-" && $2 == 3 { print $1 }' <<<"$lines" | sort -u)"
    if [[ "$(awk '$1 != "-" && $2 == 3' <<<"$lines" | wc -l)" -eq 3 && "$(wc -l <<<"$leaders")" -eq 1 ]]; then
      log "JetStream meta leader: $leaders"
      return 0
    fi
    if ((SECONDS >= deadline)); then
      log "no JetStream meta leader after ${TIMEOUT}s; /jsz said:"$'\n'"$lines"
      return 1
    fi
    sleep 0.5
  done
}

start() {
  local bin node pid started=() busy=()
  bin="$(find_bin)"
  mkdir -p "$DIR"
  for node in "${NODES[@]}"; do
    if pid="$(node_pid "$node")"; then
      log "$node already running (pid $pid)"
      continue
    fi
    rm -f "$DIR/$node.pid"
    for p in "${CLIENT_PORT[$node]}" "${ROUTE_PORT[$node]}" "${HTTP_PORT[$node]}"; do
      port_busy "$p" && busy+=("127.0.0.1:$p ($node)")
    done
  done
  if ((${#busy[@]})); then
    log "ports already in use, not starting: ${busy[*]}"
    exit 1
  fi
  for node in "${NODES[@]}"; do
    node_pid "$node" >/dev/null && continue
    # The config by version: on nats-server 2.10+ with `sync_interval: always` (durable-conf.sh), on 2.9 as it is.
    NATS_SERVER_BIN="$bin" bash "$HERE/durable-conf.sh" "$CONF_DIR/$node.conf" >"$DIR/$node.conf"
    # The store_dir in nX.conf is relative ("./nX"), so start each server inside $DIR.
    (cd "$DIR" && exec nohup "$bin" -c "$DIR/$node.conf" -l "$DIR/$node.log" </dev/null >>"$DIR/$node.out" 2>&1) &
    echo "$!" >"$DIR/$node.pid"
    started+=("$node")
    log "started $node (pid $!, client 127.0.0.1:${CLIENT_PORT[$node]}, store $DIR/$node)"
  done
  if ! wait_leader; then
    log "start failed; stopping the nodes this run started"
    for node in "${started[@]}"; do stop_node "$node"; done
    exit 1
  fi
  echo "NATS_URL=nats://127.0.0.1:14222,nats://127.0.0.1:14223,nats://127.0.0.1:14224"
  echo "HVS_NVM_REPLICAS=3"
}

stop_node() {
  local node="$1" pid i
  if ! pid="$(node_pid "$node")"; then
    [[ -f "$DIR/$node.pid" ]] && log "$node not running (stale pid file removed)"
    rm -f "$DIR/$node.pid"
    return 0
  fi
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 150; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    log "$node (pid $pid) ignored SIGTERM for 15s; sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$DIR/$node.pid"
  log "stopped $node (pid $pid)"
}

stop() {
  local node
  for node in "${NODES[@]}"; do stop_node "$node"; done
}

status() {
  local node pid ok=0 lines leader size err i=0
  lines="$(probe_jsz)"
  mapfile -t jsz <<<"$lines"
  printf '%-4s %-8s %-8s %-16s %-8s %s\n' node pid state client leader cluster_size
  for node in "${NODES[@]}"; do
    read -r leader size err <<<"${jsz[$i]}"
    i=$((i + 1))
    if pid="$(node_pid "$node")"; then
      printf '%-4s %-8s %-8s %-16s %-8s %s\n' "$node" "$pid" running "127.0.0.1:${CLIENT_PORT[$node]}" "$leader" "$size${err:+ ($err)}"
      [[ "$leader" != "-" ]] || ok=1
    else
      printf '%-4s %-8s %-8s %-16s %-8s %s\n' "$node" - stopped "127.0.0.1:${CLIENT_PORT[$node]}" - -
      ok=1
    fi
  done
  return "$ok"
}

[[ $# -ge 1 && $# -le 2 ]] || usage
CMD="$1"
case "$CMD" in start | stop | status) ;; *) usage ;; esac
DIR="${2:-${HVS_NVM_CLUSTER_DIR:-./data/cluster}}"
if [[ ! -d "$DIR" && "$CMD" != start ]]; then
  log "no cluster directory $DIR: nothing running there"
  [[ "$CMD" == stop ]] && exit 0
  exit 1
fi
mkdir -p "$DIR" && DIR="$(cd "$DIR" && pwd)" || { log "cannot use directory $DIR"; exit 1; }

case "$CMD" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) usage ;;
esac
