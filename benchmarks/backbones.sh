#!/usr/bin/env bash
# Trains each keras-retinanet backbone we build for a few steps on a generated shapes dataset (full-size
# backbones, FPN/heads 256 wide) and prints the time per run. Heavy: minutes per backbone on a 2-core CPU.
# Usage: bash benchmarks/backbones.sh [backbone ...]   (default: every built backbone)
set -euo pipefail
cd "$(dirname "$0")/.."
backbones=("$@")
[ ${#backbones[@]} -eq 0 ] && backbones=(vgg16 vgg19 densenet121 densenet169 densenet201 seresnet18 seresnet34 seresnet50 seresnet101 seresnet152 seresnext50 seresnext101 senet154)
[ $# -eq 0 ] && backbones+=(EfficientNetB0 EfficientNetB1 EfficientNetB2 EfficientNetB3 EfficientNetB4 EfficientNetB5 EfficientNetB6 EfficientNetB7)
dotnet build src/RetinaNet.Train -c Release -v q -o artifacts/bench-backbones >/dev/null
out=$(mktemp -d)
for b in "${backbones[@]}"; do
  start=$(date +%s)
  dotnet artifacts/bench-backbones/retinanet.dll demo --backbone "$b" --output "$out/$b" --minutes 3 \
    --train-images 16 --val-images 4 --image-size 256 --batch-size 2 --feature-size 256 >"$out/$b.log" 2>&1
  echo "$b: $(( $(date +%s) - start )) s  ($(grep -m1 -i 'mAP' "$out/$b.log" || echo 'see log'))"
done
rm -rf "$out"
