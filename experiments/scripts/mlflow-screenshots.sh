#!/usr/bin/env bash
# Screenshots of a study's runs in the REAL MLflow UI: starts a real `mlflow server` (MLflow's Python package and its
# built UI, installed outside the project), runs the study against it through the REST tracker, checks with MLflow's
# own Python API that every student's MLmodel loads, and takes headless-chromium screenshots of the runs table, a
# run page, the chart view, the compare view and a run's logged model. Not run by CI: it needs the installs below.
#
# Usage:  experiments/scripts/mlflow-screenshots.sh MLFLOW_INSTALL_DIR OUT_DIR [STUDY] [PORT]
#   MLFLOW_INSTALL_DIR  an MLflow install with its UI bundle: /work/shared/tools/mlflow-setup.sh GIT_DIR DIR, then
#                       /work/shared/tools/mlflow-ui-build.sh GIT_DIR WORK_DIR DIR (puts mlflow/server/js/build there)
#   OUT_DIR             where the server's store, the study's results and the PNGs go (created). When it already
#                       holds store/, artifacts/ and results/ of an earlier call, the server is started on them and
#                       the study is not run again (only the checks and screenshots are redone).
#   STUDY               the study file (default: configs/quickstart.yaml)
#   PORT                the server's port (default: 5055)
# Needs: /usr/bin/python3 with the install's dependencies (mlflow-setup.sh installs them), Debian's `chromium`,
# curl, and the project's ./distill4j launcher (a JDK 17).
# Writes: OUT_DIR/{runs-table,run-page,chart-view,compare-view,logged-model}.png, OUT_DIR/server.log, and
# OUT_DIR/model-load.txt (what mlflow.models.Model.load read from each logged MLmodel).
set -euo pipefail

INSTALL=${1:?usage: $0 MLFLOW_INSTALL_DIR OUT_DIR [STUDY] [PORT]}
OUT=${2:?usage: $0 MLFLOW_INSTALL_DIR OUT_DIR [STUDY] [PORT]}
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
STUDY=${3:-$ROOT/configs/quickstart.yaml}
PORT=${4:-5055}
URL=http://127.0.0.1:$PORT
PY=/usr/bin/python3
export PYTHONPATH=$INSTALL:$INSTALL/_stubs
CHROMIUM=$(command -v chromium || command -v chromium-browser || true)

[ -f "$INSTALL/mlflow/__init__.py" ] || { echo "no MLflow install in $INSTALL (run mlflow-setup.sh)" >&2; exit 2; }
[ -f "$INSTALL/mlflow/server/js/build/index.html" ] || {
  echo "no UI bundle in $INSTALL/mlflow/server/js/build (run mlflow-ui-build.sh)" >&2; exit 2; }
[ -n "$CHROMIUM" ] || { echo "no chromium (apt-get install -y chromium)" >&2; exit 2; }
REUSE=0
if [ -d "$OUT/store" ] && [ -d "$OUT/results" ]; then REUSE=1; fi
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)

# 1. a real MLflow server: file store backend, artifacts proxied over HTTP (the default since MLflow 2.0)
$PY -m mlflow server --backend-store-uri "$OUT/store" --artifacts-destination "$OUT/artifacts" \
  --host 127.0.0.1 --port "$PORT" --workers 1 >>"$OUT/server.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do
  curl -sf "$URL/health" >/dev/null && break
  sleep 1
done
curl -sf "$URL/health" >/dev/null || { echo "the MLflow server did not start; see $OUT/server.log" >&2; exit 1; }

# 2. the study, tracked on that server
NAME=$(sed -n 's/^study: *\([^ #]*\).*/\1/p' "$STUDY" | head -1)
if [ "$REUSE" = 0 ]; then
  "$ROOT/distill4j" run "$STUDY" --tracking-uri "$URL" --results "$OUT/results" --yes
fi

# 3. ids through the REST API
EXP=$(curl -sf "$URL/api/2.0/mlflow/experiments/get-by-name?experiment_name=$NAME" \
  | $PY -c 'import json,sys; print(json.load(sys.stdin)["experiment"]["experiment_id"])')
curl -sf -X POST "$URL/api/2.0/mlflow/runs/search" -H 'Content-Type: application/json' \
  -d "{\"experiment_ids\": [\"$EXP\"], \"max_results\": 1000}" >"$OUT/runs.json"
read -r KD ALONE TEACHER < <($PY - "$OUT/runs.json" <<'EOF'
import json, sys
runs = json.load(open(sys.argv[1]))["runs"]
def role(r):
    return {t["key"]: t["value"] for t in r["data"].get("tags", [])}.get("distill4j.role")
pick = lambda name: sorted(r["info"]["run_id"] for r in runs if role(r) == name)
print(pick("distilled")[0], pick("student-alone")[0], pick("teacher")[0])
EOF
)

# 4. MLflow's own reader on every logged model
$PY - "$URL" "$OUT/runs.json" >"$OUT/model-load.txt" <<'EOF'
import json, sys
import mlflow
from mlflow.models import Model
mlflow.set_tracking_uri(sys.argv[1])
for r in json.load(open(sys.argv[2]))["runs"]:
    tags = {t["key"]: t["value"] for t in r["data"].get("tags", [])}
    if "mlflow.log-model.history" not in tags:
        continue
    m = Model.load(f"runs:/{r['info']['run_id']}/model")
    print(r["info"]["run_name"], "|", list(m.flavors), "|", m.signature.inputs.input_names()[:3], "... ->",
          m.signature.outputs.input_names(), "| example:", m.saved_input_example_info["type"],
          "| logged models:", len(json.loads(tags["mlflow.log-model.history"])))
EOF
cat "$OUT/model-load.txt"

# 5. screenshots (the UI loads its data after the page: give it a virtual-time budget)
shot() {
  "$CHROMIUM" --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size="${3:-1600,1000}" \
    --virtual-time-budget=20000 --screenshot="$OUT/$1.png" "$2" >/dev/null 2>&1
  echo "$OUT/$1.png"
}
ENC='%5B'; CLOSE='%5D'; Q='%22'
shot runs-table "$URL/#/experiments/$EXP?searchFilter=tags.distill4j.role%20%21%3D%20%27study%27"
shot run-page "$URL/#/experiments/$EXP/runs/$KD"
shot chart-view "$URL/#/experiments/$EXP?compareRunsMode=CHART&searchFilter=tags.distill4j.role%20%21%3D%20%27study%27"
shot compare-view "$URL/#/compare-runs?runs=$ENC$Q$KD$Q,$Q$ALONE$Q,$Q$TEACHER$Q$CLOSE&experiments=$ENC$Q$EXP$Q$CLOSE"
shot logged-model "$URL/#/experiments/$EXP/runs/$KD/artifacts/model/MLmodel"
