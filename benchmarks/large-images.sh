#!/usr/bin/env bash
# Peak memory of training and of `debug --random-transform` on large photos (issue: a 10000x10000 training image was
# killed at 24 GB). Each image is resized to the usual sides (800/1333), so memory should follow the network input,
# not the file: target peak RSS within 1.5x of the same run on 1333-side images. Prints one line per run:
#   large-image COMMAND side=N peak_rss_mib=M ratio=R target=1.5 met|missed
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
dotnet build benchmarks/RetinaNet.Benchmarks -c Release -v q -nologo > "$work/build.log" || { cat "$work/build.log" >&2; exit 1; }
bench=benchmarks/RetinaNet.Benchmarks/bin/Release/net10.0/linux-x64/RetinaNet.Benchmarks.dll
cli=src/RetinaNet.Train/bin/Release/net10.0/linux-x64/retinanet.dll

peak() { /usr/bin/time -f '%M' "$@" 2>"$work/time.err" >/dev/null || { cat "$work/time.err" >&2; exit 1; }; tail -n 1 "$work/time.err"; }
declare -A base
for side in 1333 3000 10000; do
  data="$work/d$side"
  dotnet "$bench" large-image-data "$side" "$data" >/dev/null
  train_kib=$(peak dotnet "$cli" train csv "$data/train.csv" "$data/classes.csv" --backbone resnet50 --batch-size 1 \
    --random-transform --steps 3 --epochs 1 --no-snapshots --no-evaluation --no-weights --seed 1)
  debug_kib=$(peak dotnet "$cli" debug csv "$data/train.csv" "$data/classes.csv" --random-transform --anchors --show-annotations \
    --output-dir "$work/debug$side")
  for run in train debug; do
    kib=$([ $run = train ] && echo "$train_kib" || echo "$debug_kib")
    mib=$((kib / 1024))
    [ "$side" = 1333 ] && base[$run]=$mib
    ratio=$(awk -v a="$mib" -v b="${base[$run]}" 'BEGIN { printf "%.2f", a / b }')
    verdict=$(awk -v r="$ratio" 'BEGIN { print (r <= 1.5) ? "met" : "missed" }')
    echo "large-image $run side=$side peak_rss_mib=$mib ratio=$ratio target=1.5 $verdict"
  done
  rm -rf "$data" "$work/debug$side"
done
