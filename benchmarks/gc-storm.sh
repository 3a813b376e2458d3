#!/usr/bin/env bash
# Forced-GC storm, long version (issue 13, item 1). Runs the retinanet program on the demo's shapes data with the
# demo's settings (resnet18_16, feature size 64, 256x256 images, batch 8, seed 1) twice side by side: calm, and
# under tests/GcStorm's startup hook (a thread calling GC.Collect(); GC.WaitForPendingFinalizers() in a loop).
# Each pipeline: train STEPS steps (10 epochs, a snapshot each), convert-model, evaluate and predict over IMAGES
# images, CYCLES save/load cycles (outputs bit-identical each time). Requires zero crashes and identical numbers:
# loss of every epoch, evaluate's mAP lines, predict's JSON.
#   bash benchmarks/gc-storm.sh [STEPS=1000] [IMAGES=200] [CYCLES=50]
# GC_STORM_WORK=DIR keeps the work there (default: a temporary folder, removed after a clean run).
# Prints one line per phase and a final "gc-storm: … crashes=N wrong=N" line; exit code 0 only if both are 0.
set -uo pipefail
cd "$(dirname "$0")/.."
steps=${1:-1000}; images=${2:-200}; cycles=${3:-50}
epochs=10; per_epoch=$(( (steps + epochs - 1) / epochs ))
work=${GC_STORM_WORK:-$(mktemp -d)}
mkdir -p "$work"

dotnet build tests/GcStorm -c Release -v q -nologo >/dev/null || exit 1
dll=$(realpath "$(ls tests/GcStorm/bin/Release/net10.0/*/GcStorm.dll tests/GcStorm/bin/Release/net10.0/GcStorm.dll 2>/dev/null | head -n 1)")
[ -d "$work/data" ] || dotnet "$dll" make-shapes "$work/data" "$images" || exit 1
ann="$work/data/train.csv"; classes="$work/data/classes.csv"
light=(--backbone resnet18_16 --image-min-side 256 --image-max-side 256)

run() { # run MODE NAME ARGS... ; output in $work/MODE/NAME.{out,err}, a line in $work/MODE/status
  local mode=$1 name=$2; shift 2
  local start=$SECONDS code
  if [ "$mode" = storm ]; then
    DOTNET_STARTUP_HOOKS="$dll" GC_STORM_REPORT=1 dotnet "$dll" "$@" >"$work/$mode/$name.out" 2>"$work/$mode/$name.err"
  else
    dotnet "$dll" "$@" >"$work/$mode/$name.out" 2>"$work/$mode/$name.err"
  fi
  code=$?
  echo "$mode $name: exit $code in $((SECONDS - start)) s $(grep -h 'gc-storm:' "$work/$mode/$name.err" | tail -n 1)" | tee -a "$work/$mode/status"
  [ $code -eq 0 ] || { tail -n 30 "$work/$mode/$name.err"; return 1; }
}

pipeline() { # pipeline MODE
  local mode=$1 out="$work/$1"
  mkdir -p "$out"; : > "$out/status"
  run $mode train train csv "$ann" "$classes" "${light[@]}" --feature-size 64 --batch-size 8 --epochs $epochs \
    --steps $per_epoch --seed 1 --snapshot-path "$out/snapshots" --no-evaluation || return 1
  local snapshot; snapshot=$(ls "$out"/snapshots/*.h5 | sort | tail -n 1)
  run $mode convert convert-model "$snapshot" "$out/inference.h5" --backbone resnet18_16 || return 1
  run $mode evaluate evaluate csv "$ann" "$classes" "$out/inference.h5" "${light[@]}" || return 1
  run $mode predict predict "$out/inference.h5" "$work"/data/images/train/*.png --backbone resnet18_16 \
    --score-threshold 0.05 --image-min-side 256 --image-max-side 256 --output "$out/predictions.json" || return 1
  run $mode save-load save-load "$snapshot" "$cycles" 256 || return 1
}

pipeline calm & calm_pid=$!
pipeline storm & storm_pid=$!
crashes=0; wrong=0
wait $calm_pid || crashes=$((crashes + 1))
wait $storm_pid || crashes=$((crashes + 1))

compare() { # compare NAME FILE_A FILE_B
  if cmp -s "$2" "$3"; then echo "same $1"; else echo "DIFFERENT $1"; wrong=$((wrong + 1)); fi
}
for mode in calm storm; do
  grep -o '"loss": *[^,}]*' "$work/$mode/snapshots/training_log.json" > "$work/$mode/loss.txt" 2>/dev/null
  grep -E 'mAP|instances of class' "$work/$mode/evaluate.out" > "$work/$mode/map.txt" 2>/dev/null
done
compare "training loss per epoch ($(tr '\n' ' ' < "$work/calm/loss.txt"))" "$work/calm/loss.txt" "$work/storm/loss.txt"
compare "evaluate ($(grep -h '^mAP' "$work/calm/map.txt" | head -n 1))" "$work/calm/map.txt" "$work/storm/map.txt"
compare "predictions ($(grep -o '"score"' "$work/calm/predictions.json" 2>/dev/null | wc -l) detections)" \
  "$work/calm/predictions.json" "$work/storm/predictions.json"
echo "gc-storm: steps=$((per_epoch * epochs)) images=$images cycles=$cycles crashes=$crashes wrong=$wrong"
if [ $crashes -eq 0 ] && [ $wrong -eq 0 ]; then
  [ -n "${GC_STORM_WORK:-}" ] || rm -rf "$work"
  exit 0
fi
echo "work kept in $work"
exit 1
