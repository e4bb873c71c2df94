#!/usr/bin/env bash
# Local single-node Kafka (KRaft, combined broker+controller) for Caseline
# development and tests, run from Maven Central jars: no Kafka install, no Docker.
#
#   tools/kafka/kafka.sh fetch|start|stop|restart|run|status|logs|reset
#
# See tools/kafka/README.md for the environment variables.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
POM="$SCRIPT_DIR/pom.xml"
LOG4J_CONFIG="$SCRIPT_DIR/log4j2.xml"
PROBE_SRC="$SCRIPT_DIR/KafkaProbe.java"

KAFKA_VERSION="$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$POM" | head -n1)"
[[ -n "$KAFKA_VERSION" ]] || { echo "kafka.sh: no <kafka.version> in $POM" >&2; exit 1; }

CACHE_ROOT="${CASELINE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/caseline}"
CACHE="$CACHE_ROOT/kafka-$KAFKA_VERSION"
LIB="$CACHE/lib"
STATE_FILE="$CACHE/current-data-dir" # data dir of the broker `start` launched

HOST=127.0.0.1
PORT="${KAFKA_PORT:-9092}"
CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
READY_TIMEOUT="${KAFKA_READY_TIMEOUT:-90}"
STOP_TIMEOUT="${KAFKA_STOP_TIMEOUT:-30}"
HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xmx512m -Xms128m}"
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"

log() { echo "kafka.sh: $*" >&2; }
die() { log "$*"; exit 1; }

# ---------------------------------------------------------------- fetch ----

pom_sum() { sha256sum "$POM" | cut -d' ' -f1; }

is_fetched() { [[ -f "$LIB/.complete" && "$(cat "$LIB/.complete")" == "$(pom_sum)" ]]; }

cmd_fetch() {
  if is_fetched; then
    [[ "${1:-}" == quiet ]] || log "Kafka $KAFKA_VERSION jars already in $LIB"
    return 0
  fi
  command -v mvn >/dev/null || die "mvn (Maven) is needed to fetch the Kafka jars"
  mkdir -p "$CACHE"
  rm -rf "$CACHE"/lib.tmp.* # left by an interrupted fetch
  local tmp="$CACHE/lib.tmp.$$"
  # shellcheck disable=SC2064 # expand $tmp now: it is local
  trap "rm -rf '$tmp'" EXIT
  log "fetching Kafka $KAFKA_VERSION jars from Maven into $LIB ..."
  # (sed: Debian's Maven 3.8 prints bare colour resets even with -q -B)
  mvn -B -q -Dstyle.color=never -f "$POM" dependency:copy-dependencies -DoutputDirectory="$tmp" 2>&1 |
    sed -e 's/\x1b\[[0-9;]*m//g' -e '/^$/d' >&2
  ls "$tmp"/kafka_2.13-*.jar >/dev/null 2>&1 || die "fetch produced no kafka_2.13 jar"
  pom_sum >"$tmp/.complete"
  # Only a complete copy is renamed into place: an interrupted fetch leaves a
  # lib.tmp.* behind (removed next time), never a lib/ that looks complete.
  rm -rf "$LIB"
  mv -T "$tmp" "$LIB"
  trap - EXIT
  log "fetched $(find "$LIB" -name "*.jar" | wc -l) jars ($(du -sh "$LIB" | cut -f1))"
}

# ------------------------------------------------------------- helpers ----

port_open() { (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null; }

# probe SECONDS: 0 once a Kafka broker on $HOST:$PORT answers DescribeCluster.
probe() {
  "$JAVA" -Dlog4j2.level=OFF -cp "$LIB/*" "$PROBE_SRC" "$HOST:$PORT" "$1" >/dev/null 2>&1
}

resolve_data_dir() {
  if [[ -n "${KAFKA_DATA_DIR:-}" ]]; then
    DATA_DIR="$KAFKA_DATA_DIR"
  elif [[ "${KAFKA_FRESH:-0}" == 1 ]]; then
    DATA_DIR="$(mktemp -d "${TMPDIR:-/tmp}/caseline-kafka.XXXXXX")"
    touch "$DATA_DIR/.fresh" # `stop` deletes such a throwaway dir
  else
    DATA_DIR="$CACHE/run"
  fi
  mkdir -p "$DATA_DIR"
  DATA_DIR="$(cd "$DATA_DIR" && pwd)"
}

# Data dir of the running broker for stop/status: KAFKA_DATA_DIR, else the one
# `start` recorded, else the default.
running_data_dir() {
  if [[ -n "${KAFKA_DATA_DIR:-}" ]]; then
    DATA_DIR="$KAFKA_DATA_DIR"
  elif [[ -f "$STATE_FILE" ]]; then
    DATA_DIR="$(cat "$STATE_FILE")"
  else
    DATA_DIR="$CACHE/run"
  fi
}

pid_alive() {
  local pidfile="$DATA_DIR/kafka.pid" pid
  [[ -f "$pidfile" ]] || return 1
  pid="$(cat "$pidfile")"
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null || return 1
  # Guard against a recycled pid: it must be our broker's java.
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q "kafka.Kafka $DATA_DIR/server.properties" || return 1
  PID="$pid"
}

write_config() {
  local logs="$DATA_DIR/kraft-logs"
  cat >"$DATA_DIR/server.properties" <<EOF
# Written by tools/kafka/kafka.sh on each start; edits are overwritten.
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=$HOST:$CONTROLLER_PORT
listeners=PLAINTEXT://$HOST:$PORT,CONTROLLER://$HOST:$CONTROLLER_PORT
advertised.listeners=PLAINTEXT://$HOST:$PORT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
log.dirs=$logs
num.partitions=6
default.replication.factor=1
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
min.insync.replicas=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=false
EOF
  if [[ ! -f "$logs/meta.properties" ]]; then
    local cluster_id
    # 16 random bytes, URL-safe base64 without padding: a Kafka cluster id. It may begin with "-",
    # so it is passed as --cluster-id=… (as a separate word the argument parser takes it for an option).
    cluster_id="$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')"
    log "formatting storage in $logs (cluster $cluster_id)"
    "$JAVA" -Xmx256m -Dlog4j2.configurationFile="$LOG4J_CONFIG" -Dkafka.logs.dir="$DATA_DIR" \
      -cp "$LIB/*" kafka.tools.StorageTool \
      format --standalone --cluster-id="$cluster_id" -c "$DATA_DIR/server.properties" >&2
  fi
}

java_cmd() {
  # shellcheck disable=SC2206 # word splitting of the heap options is intended
  JAVA_CMD=("$JAVA" $HEAP_OPTS -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -Djava.awt.headless=true
    -Dlog4j2.configurationFile="$LOG4J_CONFIG" -Dkafka.logs.dir="$DATA_DIR"
    "$@" -cp "$LIB/*" kafka.Kafka "$DATA_DIR/server.properties")
}

# ------------------------------------------------------------ commands ----

already_running() {
  port_open "$PORT" || return 1
  if probe 10; then
    echo "Kafka already running on $HOST:$PORT (not starting another)"
    return 0
  fi
  die "port $HOST:$PORT is in use by something that is not an answering Kafka broker"
}

cmd_start() {
  cmd_fetch quiet
  already_running && return 0
  port_open "$CONTROLLER_PORT" && die "controller port $HOST:$CONTROLLER_PORT is already in use"
  resolve_data_dir
  if pid_alive; then
    die "a broker (pid $PID) of $DATA_DIR is running but does not answer on $HOST:$PORT; run: $0 stop"
  fi
  write_config
  java_cmd
  local start_ts out="$DATA_DIR/kafka.out"
  start_ts="$(date +%s)"
  : >"$DATA_DIR/server.log"
  log "starting Kafka $KAFKA_VERSION (data: $DATA_DIR, log: $DATA_DIR/server.log)"
  # setsid: the broker outlives this shell and the terminal it came from.
  setsid nohup "${JAVA_CMD[@]}" >"$out" 2>&1 </dev/null &
  local pid=$!
  echo "$pid" >"$DATA_DIR/kafka.pid"
  echo "$DATA_DIR" >"$STATE_FILE"

  # Ready = the broker logged "Kafka Server started" and an admin client gets
  # a broker back from DescribeCluster. A listening port alone is not enough.
  local deadline=$((start_ts + READY_TIMEOUT))
  until grep -q "Kafka Server started" "$DATA_DIR/server.log" 2>/dev/null; do
    if ! kill -0 "$pid" 2>/dev/null; then
      log "Kafka exited during startup; last lines of $DATA_DIR/server.log and kafka.out:"
      tail -n 20 "$DATA_DIR/server.log" "$out" >&2 || true
      rm -f "$DATA_DIR/kafka.pid"
      exit 1
    fi
    if (($(date +%s) >= deadline)); then
      log "Kafka did not start within ${READY_TIMEOUT}s; see $DATA_DIR/server.log (still running as pid $pid)"
      exit 1
    fi
    sleep 0.5
  done
  local left=$((deadline - $(date +%s)))
  ((left > 5)) || left=5
  probe "$left" || die "Kafka logged its start but answers no admin request on $HOST:$PORT"
  echo "Kafka ready on $HOST:$PORT ($(($(date +%s) - start_ts))s, pid $pid)"
}

cmd_run() {
  cmd_fetch quiet
  port_open "$PORT" && die "port $HOST:$PORT is already in use"
  resolve_data_dir
  write_config
  echo $$ >"$DATA_DIR/kafka.pid" # exec keeps this pid
  echo "$DATA_DIR" >"$STATE_FILE"
  java_cmd -Dcaseline.kafka.console=INFO
  exec "${JAVA_CMD[@]}"
}

cmd_stop() {
  running_data_dir
  if ! pid_alive; then
    rm -f "$DATA_DIR/kafka.pid"
    if port_open "$PORT"; then
      log "no broker started by kafka.sh is running (something else listens on $HOST:$PORT)"
    else
      log "Kafka is not running"
    fi
    return 0
  fi
  log "stopping Kafka (pid $PID)"
  kill -TERM "$PID" 2>/dev/null || true
  local i
  for ((i = 0; i < STOP_TIMEOUT * 4; i++)); do
    kill -0 "$PID" 2>/dev/null || break
    sleep 0.25
  done
  if kill -0 "$PID" 2>/dev/null; then
    log "still running after ${STOP_TIMEOUT}s; sending SIGKILL"
    kill -KILL "$PID" 2>/dev/null || true
    sleep 0.5
  fi
  rm -f "$DATA_DIR/kafka.pid"
  if [[ -f "$DATA_DIR/.fresh" ]]; then
    rm -rf "$DATA_DIR"
    rm -f "$STATE_FILE"
  fi
  echo "Kafka stopped"
}

cmd_status() {
  running_data_dir
  local owned=""
  pid_alive && owned=" (pid $PID, data $DATA_DIR)"
  if port_open "$PORT" && is_fetched && probe 5; then
    echo "Kafka $KAFKA_VERSION running on $HOST:$PORT$owned"
  elif [[ -n "$owned" ]]; then
    echo "Kafka process running$owned but not answering on $HOST:$PORT"
    return 1
  else
    echo "Kafka not running on $HOST:$PORT"
    return 3
  fi
}

cmd_reset() {
  running_data_dir
  pid_alive && die "stop Kafka first"
  rm -rf "$DATA_DIR"
  rm -f "$STATE_FILE"
  echo "removed $DATA_DIR"
}

usage() {
  cat <<EOF
usage: $0 fetch|start|stop|restart|run|status|logs|reset
  fetch    copy the Kafka $KAFKA_VERSION jars from Maven into $LIB (once)
  start    start the broker in the background; waits until it answers
  stop     stop the broker that start launched (SIGTERM, then SIGKILL)
  restart  stop, then start
  run      run the broker in the foreground (exec java), e.g. under a supervisor
  status   say whether a broker answers on $HOST:$PORT (exit 0 if so)
  logs     follow the broker log
  reset    delete the data dir (the broker must be stopped)
EOF
}

case "${1:-}" in
  fetch) cmd_fetch ;;
  start) cmd_start ;;
  stop) cmd_stop ;;
  restart) cmd_stop && cmd_start ;;
  run) cmd_run ;;
  status) cmd_status ;;
  logs) running_data_dir && exec tail -n 50 -F "$DATA_DIR/server.log" ;;
  reset) cmd_reset ;;
  -h | --help | help) usage ;;
  *) usage >&2; exit 2 ;;
esac
