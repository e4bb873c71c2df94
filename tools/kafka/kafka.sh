#!/usr/bin/env bash
# Local single-node Kafka (KRaft, combined broker+controller) for Caseline
# development and tests, run from Maven Central jars: no Kafka install, no Docker.
#
#   tools/kafka/kafka.sh fetch|start|stop|restart|run|status|logs|reset [--secure]
#   tools/kafka/kafka.sh client-env --secure
#
# --secure (or KAFKA_SECURE=1) is a second broker beside the plaintext one: SASL_SSL with SCRAM,
# a self-signed CA, one user per service and ACLs (StandardAuthorizer), on its own ports, data
# dir and state file. See tools/kafka/README.md for the environment variables.
set -euo pipefail

SECURE="${KAFKA_SECURE:-0}"
ARGS=()
for arg in "$@"; do
  if [[ "$arg" == --secure ]]; then SECURE=1; else ARGS+=("$arg"); fi
done
set -- "${ARGS[@]+"${ARGS[@]}"}"

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
POM="$SCRIPT_DIR/pom.xml"
LOG4J_CONFIG="$SCRIPT_DIR/log4j2.xml"
PROBE_SRC="$SCRIPT_DIR/KafkaProbe.java"
ACCESS_SRC="$SCRIPT_DIR/KafkaAccess.java"

KAFKA_VERSION="$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$POM" | head -n1)"
[[ -n "$KAFKA_VERSION" ]] || { echo "kafka.sh: no <kafka.version> in $POM" >&2; exit 1; }

CACHE_ROOT="${CASELINE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/caseline}"
CACHE="$CACHE_ROOT/kafka-$KAFKA_VERSION"
LIB="$CACHE/lib"

HOST=127.0.0.1
# Each mode reads variables of its own, so a shell set up for one broker cannot point the other
# at its ports or its data.
if [[ "$SECURE" == 1 ]]; then
  PORT="${KAFKA_SECURE_PORT:-9094}"
  CONTROLLER_PORT="${KAFKA_SECURE_CONTROLLER_PORT:-9095}"
  EXPLICIT_DATA_DIR="${KAFKA_SECURE_DATA_DIR:-}"
  DEFAULT_DATA_DIR="$CACHE/run-secure"
  STATE_FILE="$CACHE/current-secure-data-dir" # data dir of the broker `start --secure` launched
else
  PORT="${KAFKA_PORT:-9092}"
  CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
  EXPLICIT_DATA_DIR="${KAFKA_DATA_DIR:-}"
  DEFAULT_DATA_DIR="$CACHE/run"
  STATE_FILE="$CACHE/current-data-dir" # data dir of the broker `start` launched
fi
READY_TIMEOUT="${KAFKA_READY_TIMEOUT:-90}"
STOP_TIMEOUT="${KAFKA_STOP_TIMEOUT:-30}"
HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xmx512m -Xms128m}"
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
JAVAC="${JAVA_HOME:+$JAVA_HOME/bin/}javac"

# Secured mode: the CA and broker certificate (made once, shared by every secured data dir), the
# super user (broker and operators), and the services that get a Kafka identity of their own:
# caseline-<service>, as their clientId (libs/shared/service-kit/src/kafka.providers.ts).
TLS_DIR="$CACHE/tls"
ADMIN_USER=caseline-admin
BROKER_DN="CN=caseline-kafka"
SERVICES=(intake routing department-adapter notification)
CLIENT_CONFIG="" # secured mode: the admin client's settings in the data dir (probe, access)

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

# The Java helpers (KafkaProbe, KafkaAccess), compiled once per version of their sources: the
# source launcher would run javac on every call, seconds of CPU each time.
compile_helpers() {
  local sum tmp
  sum="$({ cat "$PROBE_SRC" "$ACCESS_SRC"; pom_sum; } | sha256sum | cut -c1-16)"
  HELPERS="$CACHE/helpers-$sum"
  [[ -f "$HELPERS/.complete" ]] && return 0
  tmp="$CACHE/helpers.tmp.$$"
  rm -rf "$tmp"
  "$JAVAC" -nowarn -d "$tmp" -cp "$LIB/*" "$PROBE_SRC" "$ACCESS_SRC" >&2 || { rm -rf "$tmp"; die "compiling $PROBE_SRC failed"; }
  touch "$tmp/.complete"
  mv -T "$tmp" "$HELPERS" 2>/dev/null || rm -rf "$tmp" # a concurrent start compiled them first
}

# helper CLASS ARGS...: runs a compiled helper on the broker's jars (client logging off).
# compile_helpers is called first, outside any redirection that would hide its errors.
helper() {
  "$JAVA" -XX:TieredStopAtLevel=1 -Dlog4j2.level=OFF -cp "$HELPERS:$LIB/*" "$@"
}

# probe SECONDS: 0 once a Kafka broker on $HOST:$PORT answers DescribeCluster.
probe() {
  compile_helpers
  helper KafkaProbe "$HOST:$PORT" "$1" ${CLIENT_CONFIG:+"$CLIENT_CONFIG"} >/dev/null 2>&1
}

resolve_data_dir() {
  if [[ -n "$EXPLICIT_DATA_DIR" ]]; then
    DATA_DIR="$EXPLICIT_DATA_DIR"
  elif [[ "${KAFKA_FRESH:-0}" == 1 ]]; then
    DATA_DIR="$(mktemp -d "${TMPDIR:-/tmp}/caseline-kafka.XXXXXX")"
    touch "$DATA_DIR/.fresh" # `stop` deletes such a throwaway dir
  else
    DATA_DIR="$DEFAULT_DATA_DIR"
  fi
  mkdir -p "$DATA_DIR"
  DATA_DIR="$(cd "$DATA_DIR" && pwd)"
}

# Data dir of the running broker for stop/status: KAFKA_DATA_DIR (KAFKA_SECURE_DATA_DIR), else
# the one `start` recorded, else the default.
running_data_dir() {
  if [[ -n "$EXPLICIT_DATA_DIR" ]]; then
    DATA_DIR="$EXPLICIT_DATA_DIR"
  elif [[ -f "$STATE_FILE" ]]; then
    DATA_DIR="$(cat "$STATE_FILE")"
  else
    DATA_DIR="$DEFAULT_DATA_DIR"
  fi
  if [[ "$SECURE" == 1 && -f "$DATA_DIR/admin.properties" ]]; then CLIENT_CONFIG="$DATA_DIR/admin.properties"; fi
}

record_data_dir() {
  # A broker whose data dir was named (a test's own) is named again to stop it: it must not
  # replace the data dir that a developer's own broker, or the test run's, recorded.
  if [[ -n "$EXPLICIT_DATA_DIR" ]]; then return 0; fi
  echo "$DATA_DIR" >"$STATE_FILE"
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

# ------------------------------------------------------ secured mode ----

# SCRAM passwords: KAFKA_SCRAM_PASSWORD_<NAME> (ADMIN, INTAKE, ROUTING, DEPARTMENT_ADAPTER,
# NOTIFICATION), else "caseline-<name>-dev" - the development default the services'
# KAFKA_SASL_PASSWORD falls back to as well - but never when NODE_ENV=production.
scram_passwords() {
  local name var
  for name in admin "${SERVICES[@]}"; do
    var="KAFKA_SCRAM_PASSWORD_$(tr 'a-z-' 'A-Z_' <<<"$name")"
    if [[ -z "${!var:-}" ]]; then
      [[ "${NODE_ENV:-}" != production ]] || die "$var must be set when NODE_ENV=production (no development default)"
      printf -v "$var" 'caseline-%s-dev' "$name"
    fi
    export "${var?}" # read by KafkaAccess.java, never passed on a command line
  done
  # The admin password is written into JAAS settings and the storage format's SCRAM argument,
  # whose quoting it must not break.
  [[ "$KAFKA_SCRAM_PASSWORD_ADMIN" =~ ^[A-Za-z0-9._~+/=-]+$ ]] ||
    die "KAFKA_SCRAM_PASSWORD_ADMIN may hold only letters, digits and . _ ~ + / = -"
}

admin_jaas() {
  echo "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"$ADMIN_USER\" password=\"$KAFKA_SCRAM_PASSWORD_ADMIN\";"
}

# A self-signed CA and the broker's certificate (localhost, 127.0.0.1), made once with the JDK's
# keytool and kept in the cache. The CA's private key is deleted once it has signed, so nothing
# else can ever be issued under it. Clients trust $TLS_DIR/ca.pem.
ensure_tls() {
  [[ -f "$TLS_DIR/.complete" ]] && return 0
  command -v keytool >/dev/null || die "keytool (JDK) is needed to make the secured broker's certificate"
  mkdir -p "$CACHE"
  find "$CACHE" -maxdepth 1 -name 'tls.tmp.*' -mmin +10 -exec rm -rf {} + # left by an interrupted run
  local tmp="$CACHE/tls.tmp.$$"
  # shellcheck disable=SC2064 # expand $tmp now: it is local
  trap "rm -rf '$tmp'" EXIT
  mkdir -m 755 "$tmp"
  log "making a local CA and broker certificate in $TLS_DIR"
  local store_password
  store_password="$(head -c 18 /dev/urandom | base64 | tr '+/' '-_')"
  # Keytool reads the store password from the environment (-storepass:env), not a command line.
  export CASELINE_TLS_STORE_PASSWORD="$store_password"
  # Chained with &&: `set -e` does not act inside a condition.
  if ! (
    umask 077
    kt() { keytool "$@" -storetype PKCS12 -storepass:env CASELINE_TLS_STORE_PASSWORD; }
    kt -genkeypair -keystore "$tmp/ca.p12" -alias ca -dname "CN=Caseline local Kafka CA" \
      -keyalg EC -groupname secp256r1 -validity 3650 -ext bc:c &&
      kt -exportcert -rfc -keystore "$tmp/ca.p12" -alias ca -file "$tmp/ca.pem" &&
      kt -genkeypair -keystore "$tmp/broker.p12" -alias broker -dname "$BROKER_DN" \
        -keyalg EC -groupname secp256r1 -validity 3650 &&
      kt -certreq -keystore "$tmp/broker.p12" -alias broker |
      kt -gencert -keystore "$tmp/ca.p12" -alias ca -rfc -validity 3650 \
        -ext san=dns:localhost,ip:127.0.0.1 -ext eku=serverAuth,clientAuth >"$tmp/broker.pem" &&
      kt -importcert -noprompt -keystore "$tmp/broker.p12" -alias ca -file "$tmp/ca.pem" &&
      kt -importcert -keystore "$tmp/broker.p12" -alias broker -file "$tmp/broker.pem" &&
      echo "$store_password" >"$tmp/store.password"
  ) >"$tmp/keytool.log" 2>&1; then
    cat "$tmp/keytool.log" >&2
    die "making the certificates failed"
  fi
  unset CASELINE_TLS_STORE_PASSWORD
  rm "$tmp/ca.p12" "$tmp/broker.pem" "$tmp/keytool.log"
  chmod 644 "$tmp/ca.pem"
  touch "$tmp/.complete"
  # Only a complete set is renamed into place; a concurrent start may have won the race.
  if ! mv -T "$tmp" "$TLS_DIR" 2>/dev/null; then
    rm -rf "$tmp"
    [[ -f "$TLS_DIR/.complete" ]] || die "$TLS_DIR exists but is incomplete; remove it and start again"
  fi
  trap - EXIT
}

# A plaintext broker's data dir gets neither the secured config nor its passwords.
refuse_plaintext_data() {
  if [[ -f "$DATA_DIR/kraft-logs/meta.properties" && ! -f "$DATA_DIR/.secure" ]]; then
    die "$DATA_DIR holds a plaintext broker's data; give the secured broker a data dir of its own"
  fi
}

# The super user's client settings, for the probe, KafkaAccess.java and operators' tools.
write_client_config() {
  refuse_plaintext_data
  CLIENT_CONFIG="$DATA_DIR/admin.properties"
  mkdir -p "$DATA_DIR"
  (
    umask 077
    cat >"$CLIENT_CONFIG" <<EOF
# Written by tools/kafka/kafka.sh on each secured start: the super user $ADMIN_USER.
bootstrap.servers=$HOST:$PORT
security.protocol=SASL_SSL
sasl.mechanism=SCRAM-SHA-512
sasl.jaas.config=$(admin_jaas)
ssl.truststore.type=PEM
ssl.truststore.location=$TLS_DIR/ca.pem
EOF
  )
}

# Each service's SCRAM credentials, the topics of KAFKA_TOPIC_PREFIX, and the ACLs (idempotent).
apply_access() {
  local prefix="${KAFKA_TOPIC_PREFIX:-caseline}"
  compile_helpers
  helper KafkaAccess "$CLIENT_CONFIG" "$prefix" "${SERVICES[@]}" >&2 ||
    die "could not apply the services' users, topics and ACLs for prefix $prefix"
}

# What a service needs to reach the secured broker (its username and password have defaults).
cmd_client_env() {
  [[ "$SECURE" == 1 ]] || die "client-env describes the secured broker: add --secure"
  echo "KAFKA_BROKERS=$HOST:$PORT"
  echo "KAFKA_SASL_MECHANISM=scram-sha-512"
  echo "KAFKA_SSL_CA_FILE=$TLS_DIR/ca.pem"
}

# ------------------------------------------------------------- config ----

listener_config() {
  if [[ "$SECURE" != 1 ]]; then
    cat <<EOF
listeners=PLAINTEXT://$HOST:$PORT,CONTROLLER://$HOST:$CONTROLLER_PORT
advertised.listeners=PLAINTEXT://$HOST:$PORT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
EOF
    return 0
  fi
  # Clients: SASL_SSL, SCRAM (the password never crosses the wire) inside TLS. The controller
  # listener takes only the broker's own certificate (mutual TLS): SCRAM users live in the
  # metadata the controller serves, so they cannot be what authenticates to the controller.
  cat <<EOF
listeners=SASL_SSL://$HOST:$PORT,CONTROLLER://$HOST:$CONTROLLER_PORT
advertised.listeners=SASL_SSL://$HOST:$PORT
listener.security.protocol.map=SASL_SSL:SASL_SSL,CONTROLLER:SSL
controller.listener.names=CONTROLLER
inter.broker.listener.name=SASL_SSL
sasl.enabled.mechanisms=SCRAM-SHA-512,SCRAM-SHA-256
sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512
listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=$(admin_jaas)
listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config=$(admin_jaas)
listener.name.controller.ssl.client.auth=required
ssl.keystore.type=PKCS12
ssl.keystore.location=$TLS_DIR/broker.p12
ssl.keystore.password=$(cat "$TLS_DIR/store.password")
ssl.truststore.type=PEM
ssl.truststore.location=$TLS_DIR/ca.pem
authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
super.users=User:$ADMIN_USER;User:$BROKER_DN
allow.everyone.if.no.acl.found=false
EOF
}

write_config() {
  local logs="$DATA_DIR/kraft-logs"
  if [[ "$SECURE" == 1 ]]; then refuse_plaintext_data; fi
  (
    # The secured broker's config holds passwords: readable by this user only.
    if [[ "$SECURE" == 1 ]]; then umask 077; fi
    cat >"$DATA_DIR/server.properties" <<EOF
# Written by tools/kafka/kafka.sh on each start; edits are overwritten.
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=$HOST:$CONTROLLER_PORT
$(listener_config)
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
  )
  if [[ ! -f "$logs/meta.properties" ]]; then
    local cluster_id scram=()
    # 16 random bytes, URL-safe base64 without padding: a Kafka cluster id. It may begin with "-",
    # so it is passed as --cluster-id=… (as a separate word the argument parser takes it for an option).
    cluster_id="$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')"
    # The super user must exist before the broker starts (it is the inter-broker identity); the
    # services' users are applied after every start by KafkaAccess.java, from the environment.
    if [[ "$SECURE" == 1 ]]; then scram=(--add-scram "SCRAM-SHA-512=[name=$ADMIN_USER,password=$KAFKA_SCRAM_PASSWORD_ADMIN]"); fi
    log "formatting storage in $logs (cluster $cluster_id)"
    "$JAVA" -Xmx256m -Dlog4j2.configurationFile="$LOG4J_CONFIG" -Dkafka.logs.dir="$DATA_DIR" \
      -cp "$LIB/*" kafka.tools.StorageTool \
      format --standalone --cluster-id="$cluster_id" -c "$DATA_DIR/server.properties" "${scram[@]+"${scram[@]}"}" >&2
    if [[ "$SECURE" == 1 ]]; then touch "$DATA_DIR/.secure"; fi
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
  if [[ "$SECURE" == 1 ]]; then
    # Probing a secured broker takes the admin's client settings, kept in its data dir: that of
    # the broker already running (KAFKA_SECURE_DATA_DIR or recorded), else that of the new one.
    scram_passwords
    ensure_tls
    if port_open "$PORT"; then running_data_dir; else resolve_data_dir; fi
    write_client_config
  fi
  if already_running; then
    # Applying again adds the topics and ACLs of this KAFKA_TOPIC_PREFIX, and password changes.
    if [[ "$SECURE" == 1 ]]; then apply_access; fi
    return 0
  fi
  port_open "$CONTROLLER_PORT" && die "controller port $HOST:$CONTROLLER_PORT is already in use"
  [[ "$SECURE" == 1 ]] || resolve_data_dir
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
  record_data_dir

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
  if [[ "$SECURE" == 1 ]]; then
    apply_access
    echo "Kafka ready on $HOST:$PORT, SASL_SSL ($(($(date +%s) - start_ts))s, pid $pid); a service connects with:"
    cmd_client_env | sed 's/^/  /'
  else
    echo "Kafka ready on $HOST:$PORT ($(($(date +%s) - start_ts))s, pid $pid)"
  fi
}

cmd_run() {
  cmd_fetch quiet
  port_open "$PORT" && die "port $HOST:$PORT is already in use"
  if [[ "$SECURE" == 1 ]]; then
    scram_passwords
    ensure_tls
  fi
  resolve_data_dir
  write_config
  echo $$ >"$DATA_DIR/kafka.pid" # exec keeps this pid
  record_data_dir
  java_cmd -Dcaseline.kafka.console=INFO
  if [[ "$SECURE" == 1 ]]; then
    write_client_config
    # The users, topics and ACLs can only be applied to a running broker: a background shell
    # waits for it (until then, and if this fails, the services are simply refused).
    (probe "$READY_TIMEOUT" && apply_access) &
  fi
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
usage: $0 fetch|start|stop|restart|run|status|logs|reset [--secure]
       $0 client-env --secure
  fetch       copy the Kafka $KAFKA_VERSION jars from Maven into $LIB (once)
  start       start the broker in the background; waits until it answers
  stop        stop the broker that start launched (SIGTERM, then SIGKILL)
  restart     stop, then start
  run         run the broker in the foreground (exec java), e.g. under a supervisor
  status      say whether a broker answers on $HOST:$PORT (exit 0 if so)
  logs        follow the broker log
  reset       delete the data dir (the broker must be stopped)
  client-env  print the settings a service needs for the secured broker
  --secure    the secured broker (SASL_SSL, SCRAM users, ACLs) on its own ports and data dir
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
  client-env) cmd_client_env ;;
  -h | --help | help) usage ;;
  *) usage >&2; exit 2 ;;
esac
