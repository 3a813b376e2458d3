#!/usr/bin/env bash
# Runs our benchmarks and torchvision's RetinaNet (the peer) in one session on this machine, 2 threads each,
# and ends with one line per target: NAME ours=… torchvision=… ratio=… target=… met|missed.
set -euo pipefail
cd "$(dirname "$0")/.."
peer_script=../shared/peer/bench_torchvision.py
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if ! /usr/bin/python3 -c "import torch, torchvision" 2>/dev/null; then
  apt-get update && apt-get install -y python3-torch python3-torchvision libopenblas0-pthread
fi
cp "$peer_script" "$work/"

dotnet build benchmarks/RetinaNet.Benchmarks -c Release -v q -nologo >/dev/null
ours_dll=benchmarks/RetinaNet.Benchmarks/bin/Release/net10.0/linux-x64/RetinaNet.Benchmarks.dll
ours() { dotnet "$ours_dll" "$@" | tail -n 1; }
peer() { (cd "$work" && /usr/bin/python3 bench_torchvision.py "$@" | tail -n 1); }

echo "ours: inference 512x512" >&2;    ours infer 512x512   > "$work/ours_infer_512.json"
echo "ours: inference 800x1333" >&2;   ours infer 800x1333  > "$work/ours_infer_800.json"
echo "ours on ONNX Runtime: inference 512x512" >&2;  ours infer-onnx 512x512  > "$work/ort_infer_512.json"
echo "ours on ONNX Runtime: inference 800x1333" >&2; ours infer-onnx 800x1333 > "$work/ort_infer_800.json"
echo "ours: train step batch 1" >&2;   ours train 1         > "$work/ours_train_1.json"
echo "ours: train step batch 2" >&2;   ours train 2         > "$work/ours_train_2.json"
echo "ours: .h5 load" >&2;             ours h5-load         > "$work/ours_h5.json"
echo "ours: data pipeline" >&2;        ours data            > "$work/ours_data.json"
echo "torchvision: inference 512x512" >&2;  peer --phase infer --size 512x512 --runs 5  > "$work/peer_infer_512.json"
echo "torchvision: inference 800x1333" >&2; peer --phase infer --size 800x1333 --runs 5 > "$work/peer_infer_800.json"
echo "torchvision: train step batch 1" >&2; peer --phase train --batch 1 --runs 5       > "$work/peer_train_1.json"
echo "torchvision: train step batch 2" >&2; peer --phase train --batch 2 --runs 5       > "$work/peer_train_2.json"
# keras-retinanet freezes every batch norm (so do we); torchvision's default trains them. Its "finetune" variant
# freezes them too (and, unlike us, conv1 and layer1), so both are shown.
echo "torchvision: train step batch 2, frozen batch norm" >&2
peer --phase train --batch 2 --runs 5 --variant finetune > "$work/peer_train_2_frozen.json"

/usr/bin/python3 benchmarks/compare.py "$work"
