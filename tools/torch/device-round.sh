#!/usr/bin/env bash
# The PyTorch probes still to run, as one call on a lent GPU machine (no Node there, no network):
# Weizmann ALEN round 1 (docs/sweeps/weizmann.md), LFW DVN and LFW ALEN (docs/sweeps/lfw.md), side by side,
# after timing the Weizmann value-net step there (tools/torch/step_time.py, docs/performance.md).
#
#   bash tools/torch/device-round.sh prep                  # here, where Node is: writes .devdata/ (git ignores it)
#   bash tools/torch/device-round.sh run OUT [SECONDS]     # on the device, carrying .devdata; default 420 s
#   python3 tools/torch/summarize.py OUT/*.jsonl           # tables, finished runs or not
#   rm -rf .devdata                                        # a copy of the data: delete it after
#
# Every probe is stopped at SECONDS; each run's curve so far stays in OUT/<probe>.jsonl.<variant>-s<seed>.log.
# PROBE_ARGS is appended to every probe's arguments (a CPU smoke run:
#   PROBE_ARGS='--configs base --limit 16 --epochs 1 --eval-every 1 --jobs 1' bash tools/torch/device-round.sh run /tmp/smoke 120).
set -euo pipefail
cd "$(dirname "$0")/../.."

case "${1:-}" in
  prep)
    mkdir -p .devdata/chopps32
    cp ../shared/data/horses/chopps32/{images_u8_328x32x32x3.bin,masks_u8_328x32x32.bin,dvn_split.txt} .devdata/chopps32/
    node tools/export-task-data.mjs --task lfw --out .devdata/lfw32
    du -sh .devdata
    ;;
  run)
    out=${2:?usage: device-round.sh run OUT [SECONDS]}
    budget=${3:-420}
    for f in .devdata/chopps32/dvn_split.txt .devdata/lfw32/meta.json; do
      [ -f "$f" ] || { echo "$f missing: run 'bash tools/torch/device-round.sh prep' where Node is and carry .devdata" >&2; exit 2; }
    done
    mkdir -p "$out"
    nvidia-smi --query-gpu=name,memory.total --format=csv,noheader > "$out/gpu.txt" 2>&1 || echo "no nvidia-smi" > "$out/gpu.txt"
    # The value-net step's cost on this device, alone on it, before the probes start (docs/performance.md).
    timeout 120 python3 tools/torch/step_time.py --json > "$out/step_time.json" 2> "$out/step_time.err" || true
    probe() {  # name script task data epochs eval-every jobs
      setsid python3 "tools/torch/$2" --task "$3" --data "$4" --configs all-variants --seeds 1 --epochs "$5" \
        --eval-every "$6" --jobs "$7" --out "$out/$1.jsonl" ${PROBE_ARGS:-} > "$out/$1.txt" 2>&1 &
      pids+=($!)
    }
    pids=()
    probe wz-alen alen_probe.py weizmann .devdata/chopps32 300 25 18
    probe lfw-dvn dvn_probe.py lfw .devdata/lfw32 60 5 18
    probe lfw-alen alen_probe.py lfw .devdata/lfw32 30 5 16
    sleep "$budget" & timer=$!
    # Stop at the budget or when all three are done, whichever comes first.
    while kill -0 "$timer" 2>/dev/null; do
      alive=0
      for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
      [ "$alive" = 1 ] || break
      sleep 5
    done
    kill "$timer" 2>/dev/null || true
    for p in "${pids[@]}"; do kill -- "-$p" 2>/dev/null || true; done  # the probe and the runs it started
    sleep 2
    python3 tools/torch/summarize.py "$out"/*.jsonl | tee "$out/summary.md"
    ;;
  *)
    sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
    ;;
esac
