#!/usr/bin/env bash
# Starts a Spark standalone cluster on this machine from the spark module's own jars (no Spark download): a master
# and two workers, each a separate JVM on 127.0.0.1, then runs a study (default: the quickstart) on it through
# spark-submit's entry point (org.apache.spark.deploy.SparkSubmit), and stops the cluster.
#
# Usage: spark/scripts/standalone-quickstart.sh [WORK_DIR] [STUDY.yaml]
#   WORK_DIR  logs, the cluster's SPARK_HOME and the results (default: a new temporary folder)
# Needs the spark module built: ./distill4j --spark --help (or ./mvnw -B -Pspark -DskipTests package).
# Environment: SPARK_MASTER_PORT (default 7077), WORKER_CORES (1), WORKER_MEMORY (2g)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
LIB="$ROOT/spark/target/lib"
APP="$ROOT/spark/target/distill4j-spark.jar"
if [ -n "${1:-}" ]; then mkdir -p "$1"; WORK="$(cd "$1" && pwd)"; else WORK="$(mktemp -d -t distill4j-spark.XXXXXX)"; fi
STUDY="${2:-$ROOT/configs/quickstart.yaml}"
STUDY="$(cd "$(dirname "$STUDY")" && pwd)/$(basename "$STUDY")"
PORT="${SPARK_MASTER_PORT:-7077}"
MASTER="spark://127.0.0.1:$PORT"
[ -f "$APP" ] && [ -d "$LIB" ] || { echo "build the spark module first: ./distill4j --spark --help" >&2; exit 2; }

# Java 17: the opens Spark needs (one list, in the root pom)
OPENS="$(sed -n 's:.*<spark.opens>\(.*\)</spark.opens>.*:\1:p' "$ROOT/pom.xml")"
# The SPARK_HOME workers start executors from: jars/ holds Spark, distill4j and DL4J (the module's lib); RELEASE
# marks it as a distribution
mkdir -p "$WORK/spark-home/jars"
ln -sf "$LIB"/*.jar "$WORK/spark-home/jars/"
touch "$WORK/spark-home/RELEASE"
export SPARK_HOME="$WORK/spark-home" SPARK_SCALA_VERSION=2.13 SPARK_LOCAL_IP=127.0.0.1 OMP_NUM_THREADS=1

PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

wait_for() { # file pattern seconds
  for _ in $(seq 1 "$3"); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 1; done
  echo "timed out waiting for '$2' in $1:" >&2; tail -20 "$1" >&2; exit 1
}

# shellcheck disable=SC2086
java $OPENS -Xmx512m -cp "$LIB/*" org.apache.spark.deploy.master.Master --host 127.0.0.1 --port "$PORT" \
  --webui-port 0 >"$WORK/master.log" 2>&1 &
PIDS+=($!)
wait_for "$WORK/master.log" "I have been elected leader" 120
echo "master $MASTER (pid ${PIDS[0]}, log $WORK/master.log)"
for i in 1 2; do
  # shellcheck disable=SC2086
  java $OPENS -Xmx512m -cp "$LIB/*" org.apache.spark.deploy.worker.Worker --host 127.0.0.1 \
    --cores "${WORKER_CORES:-1}" --memory "${WORKER_MEMORY:-2g}" --work-dir "$WORK/worker-$i" --webui-port 0 \
    "$MASTER" >"$WORK/worker-$i.log" 2>&1 &
  PIDS+=($!)
done
for i in 1 2; do
  wait_for "$WORK/worker-$i.log" "Successfully registered with master" 120
  echo "worker $i registered (pid ${PIDS[$i]}, log $WORK/worker-$i.log)"
done

EXECUTOR_OPTS="$OPENS -Dorg.bytedeco.javacpp.maxPhysicalBytes=0 -Dorg.nd4j.log.initialization=false"
cd "$ROOT"
# shellcheck disable=SC2086
java $OPENS -Xmx2g -Dorg.bytedeco.javacpp.maxPhysicalBytes=0 -Dorg.nd4j.log.initialization=false \
  -cp "$LIB/*" org.apache.spark.deploy.SparkSubmit --master "$MASTER" --deploy-mode client \
  --class io.distill4j.spark.SparkMain \
  --conf spark.executor.cores=1 --conf spark.executor.memory=1500m \
  --conf spark.executorEnv.OMP_NUM_THREADS=1 \
  --conf "spark.executor.extraJavaOptions=$EXECUTOR_OPTS" \
  "$APP" run "$STUDY" --results "$WORK/results"
