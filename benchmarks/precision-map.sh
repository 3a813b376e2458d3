#!/usr/bin/env bash
# Accuracy of bfloat16 on the demo's task (issue 19, item 3): the demo's data (1000 training, 100 validation shapes,
# 256x256) and settings (resnet18_16, FPN/head width 64, batch 8, lr 1e-3), trained for a fixed number of steps in
# fp32 and in bf16 (`train --precision`), each converted and evaluated on the validation images (VOC mAP@0.5).
#   inference: the fp32-trained model evaluated with `--precision bf16` vs fp32   target |ΔmAP| <= 0.005
#   training:  the bf16-trained model (evaluated in fp32) vs the fp32-trained one  target |ΔmAP| <= 0.01
# Fixed steps, not the demo's time budget, so both precisions take the same number of steps and the result does not
# depend on the machine's speed or load.
#   bash benchmarks/precision-map.sh [EPOCHS=8] [STEPS=125] [SEED=0]     (8 x 125 = 1000 steps, about the demo's)
# A different SEED trains both precisions again from another initialisation and data order: how far two fp32 runs
# land apart says how much of a difference is the precision.
# Prints the four mAPs and one line per target; on a CPU without fast bf16 it says so and stops.
set -euo pipefail
cd "$(dirname "$0")/.."
epochs=${1:-8}; steps=${2:-125}; seed=${3:-0}
if ! grep -qwE 'avx512_bf16|amx_bf16|bf16' /proc/cpuinfo; then
  echo "precision-map: this CPU has no fast bfloat16 (no avx512_bf16, amx_bf16 or bf16 flag): skipped"; exit 0
fi
work=${PRECISION_MAP_WORK:-$(mktemp -d)}
mkdir -p "$work"
dotnet build benchmarks/RetinaNet.Benchmarks -c Release -v q -nologo > "$work/build.log" || { cat "$work/build.log" >&2; exit 1; }
bench=benchmarks/RetinaNet.Benchmarks/bin/Release/net10.0/linux-x64/RetinaNet.Benchmarks.dll
cli=src/RetinaNet.Train/bin/Release/net10.0/linux-x64/retinanet.dll
[ -f "$work/data/val.csv" ] || dotnet "$bench" shapes-data "$work/data" > /dev/null
data="$work/data"
sides=(--image-min-side 256 --image-max-side 256)

for precision in fp32 bf16; do
  out="$work/$precision-seed$seed"
  if [ ! -f "$out/inference.h5" ]; then
    echo "training $epochs x $steps steps in $precision" >&2
    dotnet "$cli" train csv "$data/train.csv" "$data/classes.csv" --backbone resnet18_16 --feature-size 64 --batch-size 8 \
      --lr 1e-3 "${sides[@]}" --epochs "$epochs" --steps "$steps" --seed "$seed" --precision "$precision" --no-evaluation \
      --snapshot-path "$out" > "$out.train.log" 2>&1 || { tail -n 20 "$out.train.log" >&2; exit 1; }
    snapshot=$(ls "$out"/*.h5 | sort | tail -n 1)
    dotnet "$cli" convert-model "$snapshot" "$out/inference.h5" --backbone resnet18_16 > /dev/null
  fi
done
map() { # map MODEL PRECISION
  dotnet "$cli" evaluate csv "$data/val.csv" "$data/classes.csv" "$1" --backbone resnet18_16 "${sides[@]}" --precision "$2" \
    | grep -E '^mAP' | head -n 1 | grep -oE '[0-9]+\.[0-9]+'
}
fp32_fp32=$(map "$work/fp32-seed$seed/inference.h5" fp32)
fp32_bf16=$(map "$work/fp32-seed$seed/inference.h5" bf16)
bf16_fp32=$(map "$work/bf16-seed$seed/inference.h5" fp32)
bf16_bf16=$(map "$work/bf16-seed$seed/inference.h5" bf16)
echo "mAP@0.5 after $((epochs * steps)) steps, seed $seed: trained fp32 → evaluated fp32 $fp32_fp32, bf16 $fp32_bf16; trained bf16 → evaluated fp32 $bf16_fp32, bf16 $bf16_bf16"
awk -v a="$fp32_fp32" -v b="$fp32_bf16" 'BEGIN { d = b - a; printf "bf16_inference_map fp32=%.4f bf16=%.4f delta=%+.4f target=|delta|<=0.005 %s\n", a, b, d, (d <= 0.005 && d >= -0.005) ? "met" : "missed" }'
awk -v a="$fp32_fp32" -v b="$bf16_fp32" 'BEGIN { d = b - a; printf "bf16_training_map fp32=%.4f bf16=%.4f delta=%+.4f target=|delta|<=0.01 %s\n", a, b, d, (d <= 0.01 && d >= -0.01) ? "met" : "missed" }'
[ -n "${PRECISION_MAP_WORK:-}" ] || rm -rf "$work"
