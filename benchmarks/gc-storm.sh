#!/usr/bin/env bash
# Forced-GC storm, long version (issue 13, item 1). Runs the retinanet program twice on the demo's shapes data with
# the demo's settings (resnet18_16, feature size 64, 256x256 images, batch 8, fixed seed): once calm, once under
# tests/GcStorm's startup hook (a thread calling GC.Collect(); GC.WaitForPendingFinalizers() in a loop), and
# requires zero crashes and identical numbers: training loss per epoch, evaluate's mAP lines, predict's JSON,
# and bit-identical outputs over save/load cycles.
#   bash benchmarks/gc-storm.sh [STEPS=1000] [IMAGES=200] [CYCLES=50]
# Prints one line per phase and a final "gc-storm: … crashes=N wrong=N" line; exit code 0 only if both are 0.
set -uo pipefail
cd "$(dirname "$0")/.."
steps=${1:-1000}; images=${2:-200}; cycles=${3:-50}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

dotnet build tests/GcStorm -c Release -v q -nologo >/dev/null || exit 1
dll=$(ls tests/GcStorm/bin/Release/net10.0/*/GcStorm.dll 2>/dev/null | head -n 1)
[ -n "$dll" ] || dll=tests/GcStorm/bin/Release/net10.0/GcStorm.dll
dll=$(realpath "$dll")

# The data: the demo's generator, written as keras-retinanet CSV (IMAGES images for train, evaluate and predict).
dotnet "$dll" make-shapes "$work/data" "$images" || exit 1
ann="$work/data/train.csv"; classes="$work/data/classes.csv"
light=(--backbone resnet18_16 --feature-size 64 --image-min-side 256 --image-max-side 256)

crashes=0; wrong=0
run() { # run MODE NAME ARGS... : MODE storm|calm; output in $work/MODE/NAME.{out,err}
  local mode=$1 name=$2; shift 2
  mkdir -p "$work/$mode"
  local start=$SECONDS code
  if [ "$mode" = storm ]; then
    DOTNET_STARTUP_HOOKS="$dll" GC_STORM_REPORT=1 dotnet "$dll" "$@" >"$work/$mode/$name.out" 2>"$work/$mode/$name.err"
  else
    dotnet "$dll" "$@" >"$work/$mode/$name.out" 2>"$work/$mode/$name.err"
  fi
  code=$?
  echo "$mode $name: exit $code in $((SECONDS - start)) s $(grep -h 'gc-storm:' "$work/$mode/$name.err" | tail -n 1)"
  if [ $code -ne 0 ]; then crashes=$((crashes + 1)); tail -n 30 "$work/$mode/$name.err"; fi
}

for mode in calm storm; do
  out="$work/$mode"
  run $mode train train csv "$ann" "$classes" "${light[@]}" --batch-size 8 --epochs 1 --steps "$steps" --seed 1 \
    --snapshot-path "$out/snapshots" --no-evaluation
  snapshot=$(ls "$out"/snapshots/*.h5 2>/dev/null | head -n 1)
  run $mode convert convert-model "$snapshot" "$out/inference.h5" --backbone resnet18_16
  run $mode evaluate evaluate csv "$ann" "$classes" "$out/inference.h5" "${light[@]:0:2}" --image-min-side 256 --image-max-side 256
  run $mode predict predict "$out/inference.h5" "$work"/data/images/train/*.png --backbone resnet18_16 --score-threshold 0.05 \
    --image-min-side 256 --image-max-side 256 --output "$out/predictions.json"
  run $mode save-load save-load "$snapshot" "$cycles" 256
done

compare() { # compare NAME FILE_A FILE_B
  if cmp -s "$2" "$3"; then echo "same $1"; else echo "DIFFERENT $1"; wrong=$((wrong + 1)); fi
}
grep -o '"loss":[^,}]*' "$work/calm/snapshots/training_log.json" > "$work/calm/loss.txt" 2>/dev/null
grep -o '"loss":[^,}]*' "$work/storm/snapshots/training_log.json" > "$work/storm/loss.txt" 2>/dev/null
compare "training loss ($(cat "$work/calm/loss.txt" 2>/dev/null))" "$work/calm/loss.txt" "$work/storm/loss.txt"
grep -E 'mAP|instances of class' "$work/calm/evaluate.out" > "$work/calm/map.txt"
grep -E 'mAP|instances of class' "$work/storm/evaluate.out" > "$work/storm/map.txt"
compare "evaluate ($(grep -h 'mAP' "$work/calm/map.txt" | head -n 1))" "$work/calm/map.txt" "$work/storm/map.txt"
sed "s#$work/calm#X#g; s#$work/storm#X#g" "$work/calm/predictions.json" > "$work/calm/p.json" 2>/dev/null
sed "s#$work/calm#X#g; s#$work/storm#X#g" "$work/storm/predictions.json" > "$work/storm/p.json" 2>/dev/null
compare "predictions ($(grep -o '"score"' "$work/calm/p.json" | wc -l) detections)" "$work/calm/p.json" "$work/storm/p.json"
echo "gc-storm: steps=$steps images=$images cycles=$cycles crashes=$crashes wrong=$wrong"
[ $crashes -eq 0 ] && [ $wrong -eq 0 ]
