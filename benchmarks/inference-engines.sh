#!/usr/bin/env bash
# Which engine is faster for inference (issue 16, with issue 19's bf16 row): the same ResNet-50 RetinaNet (91 classes,
# score threshold 0) on TorchSharp fp32 and bf16, exported to ONNX on ONNX Runtime (CPU, default threads), and
# torchvision's retinanet_resnet50_fpn as installed, at 512x512 and 800x1333, batch 1, median of --runs (default 5).
# Prints one line per engine and size: ENGINE SIZE seconds ratio-to-torchvision.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The peer's set-up (../shared/peer/README.md), OpenBLAS included: without it torch.mm falls back to the reference
# BLAS (about 2 GFLOP/s) and the fp32 matmul rate, hence the fp32 FLOP floor, comes out 100x too low.
if ! /usr/bin/python3 -c "import torch, torchvision" 2>/dev/null || ! ldconfig -p | grep -q 'libopenblas.so.0'; then
  apt-get update && apt-get install -y python3-torch python3-torchvision libopenblas0-pthread
fi
cp ../shared/peer/bench_torchvision.py "$work/"
dotnet build benchmarks/RetinaNet.Benchmarks -c Release -v q -nologo >/dev/null
ours() { dotnet benchmarks/RetinaNet.Benchmarks/bin/Release/net10.0/linux-x64/RetinaNet.Benchmarks.dll "$@" | tail -n 1; }
peer() { (cd "$work" && /usr/bin/python3 bench_torchvision.py "$@" | tail -n 1); }
for size in 512x512 800x1333; do
  ours infer "$size" --repeats "$runs" > "$work/fp32_$size.json"
  ours infer "$size" --repeats "$runs" --precision bf16 > "$work/bf16_$size.json"
  ours infer-onnx "$size" --repeats "$runs" > "$work/ort_$size.json"
  peer --phase infer --size "$size" --runs "$runs" > "$work/peer_$size.json"
done
/usr/bin/python3 - "$work" <<'PY'
import json, os, sys
work = sys.argv[1]
def load(name):
    with open(os.path.join(work, name + ".json")) as f:
        return json.loads(f.read().strip().splitlines()[-1])
def peer_s(p):
    e = p["end_to_end"]
    return e["median_s"] if "median_s" in e else e["total"]["median_s"]
for size in ("512x512", "800x1333"):
    p = peer_s(load("peer_" + size))
    rows = [("torchsharp-fp32", load("fp32_" + size)), ("torchsharp-bf16", load("bf16_" + size)), ("onnxruntime", load("ort_" + size))]
    for name, r in rows:
        if "skipped" in r:
            print(f"{name:16s} {size:9s} skipped: {r['skipped']}")
            continue
        print(f"{name:16s} {size:9s} {r['end_to_end_s']:7.3f} s  {r['end_to_end_s'] / p:5.2f}x torchvision")
    print(f"{'torchvision':16s} {size:9s} {p:7.3f} s   1.00x")
PY
