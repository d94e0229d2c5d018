#!/usr/bin/env bash
# Takes a screenshot of a study's report.html with Debian's headless Chromium and checks that its charts rendered.
#
# Usage: experiments/scripts/report-screenshot.sh [RESULTS_DIR]      (default: results/quickstart)
#   Writes RESULTS_DIR/report-screenshot.png (the whole page, 1280 px wide) and prints one line per chart; exit code
#   0 when every embedded chart is a non-blank 800x480 PNG and the screenshot shows them, 1 otherwise, 2 when the
#   report or Chromium is missing (install Chromium with 'apt-get install -y chromium').
# The page needs no network: Chromium runs with networking off, so a chart that were not embedded would be missing.
set -euo pipefail

DIR="${1:-results/quickstart}"
PAGE="$DIR/report.html"
SHOT="$DIR/report-screenshot.png"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

[ -f "$PAGE" ] || { echo "no report at $PAGE (run ./distill4j run ... or ./distill4j report $DIR first)" >&2; exit 2; }
command -v chromium >/dev/null 2>&1 || { echo "chromium not found: apt-get install -y chromium" >&2; exit 2; }

# one chart is 480 px high: tall enough a window for the whole page
CHARTS="$(grep -o '<img ' "$PAGE" | wc -l)"
HEIGHT=$(( 1400 + CHARTS * 520 ))
ABS="$(cd "$(dirname "$PAGE")" && pwd)/report.html"
rm -f "$SHOT"
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --proxy-server='127.0.0.1:9' \
  --window-size=1280,"$HEIGHT" --screenshot="$SHOT" "file://$ABS" >/dev/null 2>&1 || true
[ -s "$SHOT" ] || { echo "chromium wrote no screenshot to $SHOT" >&2; exit 1; }
java "$HERE/ReportCheck.java" "$PAGE" "$SHOT" 800 480
