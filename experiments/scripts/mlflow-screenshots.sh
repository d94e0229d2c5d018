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
# (in a process group of its own: `mlflow server` runs gunicorn as a child, which must stop with it)
if curl -sf "$URL/health" >/dev/null; then echo "port $PORT is in use; pick another PORT" >&2; exit 2; fi
setsid $PY -m mlflow server --backend-store-uri "$OUT/store" --artifacts-destination "$OUT/artifacts" \
  --host 127.0.0.1 --port "$PORT" --workers 1 >>"$OUT/server.log" 2>&1 &
SERVER=$!
trap 'kill -- -$SERVER 2>/dev/null || true' EXIT
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
# the first distilled run, and every distilled run as the compare page's JSON list (URL-encoded)
read -r KD KDS < <($PY - "$OUT/runs.json" <<'EOF'
import json, sys, urllib.parse
runs = sorted(json.load(open(sys.argv[1]))["runs"], key=lambda r: r["info"]["run_name"])
role = lambda r: {t["key"]: t["value"] for t in r["data"].get("tags", [])}.get("distill4j.role")
kd = [r["info"]["run_id"] for r in runs if role(r) == "distilled"]
print(kd[0], urllib.parse.quote(json.dumps(kd, separators=(",", ":"))))
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

# 5. screenshots. The experiment page nests children under their parent and shows the parent collapsed unless the
# search has a filter or a sort other than "Created" (shouldNestChildrenAndFetchParents in MLflow's
# experimentPage.fetch-utils.ts), and it keeps columns, visible runs and chart filters in the browser's local storage,
# which a fresh headless chromium does not have. So the script stores a view state the way the UI's own "Share" button
# does, as the experiment tag mlflow.sharedViewState.<key> (useSharedExperimentViewState.ts reads it for the URL
# parameter viewStateShareKey; it must carry every UI-state field, or the page fails to render): the distill4j runs
# without the study's parent run, sorted by name, with the role's parameters and two test metrics as columns, every
# run visible in the charts.
$PY - "$URL" "$EXP" <<'EOF'
import json, sys, urllib.request
url, exp = sys.argv[1:3]
state = {
    # search facets (ExperimentPageSearchFacetsState)
    "searchFilter": "tags.distill4j.role != 'study'", "orderByKey": "tags.`mlflow.runName`", "orderByAsc": True,
    "startTime": "ALL", "lifecycleFilter": "Active", "datasetsFilter": [], "modelVersionFilter": "All Runs",
    # UI state (ExperimentPageUIState, all of EXPERIMENT_PAGE_UI_STATE_FIELDS but the two optional chart layouts)
    "selectedColumns": ["attributes.`Models`", "params.`distillation.loss.temperature`",
                        "params.`distillation.loss.alpha`", "params.`seed`", "metrics.`test_accuracy`",
                        "metrics.`test_macro_f1`", "attributes.`Dataset`"],
    "runsExpanded": {}, "runsPinned": [], "runsHidden": [], "runsHiddenMode": "SHOW_ALL", "viewMaximized": False,
    "runListHidden": False, "isAccordionReordered": False, "useGroupedValuesInCharts": True, "hideEmptyCharts": True,
    "groupBy": None, "groupsExpanded": {}, "autoRefreshEnabled": False,
    "globalLineChartConfig": {"xAxisKey": "step", "lineSmoothness": 0, "selectedXAxisMetricKey": ""},
    "chartsSearchFilter": "",
}
body = {"experiment_id": exp, "key": "mlflow.sharedViewState.distill4j", "value": json.dumps(state)}
urllib.request.urlopen(urllib.request.Request(url + "/api/2.0/mlflow/experiments/set-experiment-tag",
                                              json.dumps(body).encode(), {"Content-Type": "application/json"}))
EOF
# The UI loads its data (and a chart's metric history once the chart is on screen) after the page: give chromium a
# virtual-time budget, and a wall-clock limit in case a page never settles.
shot() {
  timeout 300 "$CHROMIUM" --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size="${3:-1600,1000}" \
    --virtual-time-budget="${4:-30000}" --screenshot="$OUT/$1.png" "$2" >/dev/null 2>&1 \
    || echo "chromium did not finish $1.png" >&2
  echo "$OUT/$1.png"
}
VIEW="viewStateShareKey=distill4j"
shot runs-table "$URL/#/experiments/$EXP?$VIEW&compareRunsMode=TABLE" 2000,800
shot run-page "$URL/#/experiments/$EXP/runs/$KD" 1600,2400
shot chart-view "$URL/#/experiments/$EXP?$VIEW&compareRunsMode=CHART" 1600,1000 60000
# parallel coordinates over the distilled runs: the page preselects the first three parameters that differ
# (distillation.loss.alpha, distillation.loss.temperature, seed) and one metric
shot compare-view "$URL/#/compare-runs?runs=$KDS&experiments=%5B%22$EXP%22%5D"
shot logged-model "$URL/#/experiments/$EXP/runs/$KD/artifacts/model/MLmodel"
