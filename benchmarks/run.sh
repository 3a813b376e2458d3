#!/usr/bin/env bash
# Runs our benchmarks and torchvision's RetinaNet (the peer) in one session on this machine, 2 threads each,
# and ends with one line per target: NAME ours=… torchvision=… ratio=… target=… met|missed.
# Issue 19 adds our bf16 rows, the peer three ways (as a user gets it, fp32 with the tuned allocator, bf16 with the
# tuned allocator: the peer at its best), the matmul rates and FLOP floors of both precisions.
#   --quick   one timed run per phase and 256x256 images: a smoke test of the script (seconds to minutes), not figures.
set -euo pipefail
cd "$(dirname "$0")/.."
quick=0
[ "${1:-}" = "--quick" ] && quick=1
runs=5; s512=512x512; s800=800x1333
if [ $quick = 1 ]; then runs=1; s512=256x256; s800=256x320; fi
has_bf16=0
grep -qwE 'avx512_bf16|amx_bf16|bf16' /proc/cpuinfo && has_bf16=1
peer_script=../shared/peer/bench_torchvision.py
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The peer's set-up (../shared/peer/README.md), OpenBLAS included: without it torch.mm falls back to the reference
# BLAS (about 2 GFLOP/s) and the fp32 matmul rate, hence the fp32 FLOP floor, comes out 100x too low.
if ! /usr/bin/python3 -c "import torch, torchvision" 2>/dev/null || ! ldconfig -p | grep -q 'libopenblas.so.0'; then
  apt-get update && apt-get install -y python3-torch python3-torchvision libopenblas0-pthread
fi
cp "$peer_script" benchmarks/torchvision_batched.py "$work/"

dotnet build benchmarks/RetinaNet.Benchmarks -c Release -v q -nologo >/dev/null
ours_dll=benchmarks/RetinaNet.Benchmarks/bin/Release/net10.0/linux-x64/RetinaNet.Benchmarks.dll
ours() { dotnet "$ours_dll" "$@" | tail -n 1; }
peer() { (cd "$work" && /usr/bin/python3 bench_torchvision.py "$@" | tail -n 1); }
peer_batched() { (cd "$work" && GLIBC_TUNABLES=glibc.malloc.mmap_max=0:glibc.malloc.trim_threshold=68719476736 \
  /usr/bin/python3 torchvision_batched.py "$@" | tail -n 1); }

echo "ours: inference $s512" >&2;    ours infer $s512 --repeats $runs  > "$work/ours_infer_512.json"
echo "ours: inference $s800" >&2;    ours infer $s800 --repeats $runs  > "$work/ours_infer_800.json"
echo "ours on ONNX Runtime: inference $s512" >&2;  ours infer-onnx $s512 --repeats $runs > "$work/ort_infer_512.json"
echo "ours on ONNX Runtime: inference $s800" >&2;  ours infer-onnx $s800 --repeats $runs > "$work/ort_infer_800.json"
echo "ours: train step batch 1" >&2;   ours train 1 --repeats $runs      > "$work/ours_train_1.json"
echo "ours: train step batch 2" >&2;   ours train 2 --repeats $runs      > "$work/ours_train_2.json"
echo "ours: .h5 load" >&2;             ours h5-load --repeats $runs      > "$work/ours_h5.json"
echo "ours: data pipeline" >&2;        ours data                         > "$work/ours_data.json"
echo "torchvision: inference $s512" >&2;  peer --phase infer --size $s512 --runs $runs  > "$work/peer_infer_512.json"
echo "torchvision: inference $s800" >&2;  peer --phase infer --size $s800 --runs $runs  > "$work/peer_infer_800.json"
echo "torchvision: train step batch 1" >&2; peer --phase train --batch 1 --runs $runs       > "$work/peer_train_1.json"
echo "torchvision: train step batch 2" >&2; peer --phase train --batch 2 --runs $runs       > "$work/peer_train_2.json"
# keras-retinanet freezes every batch norm (so do we); torchvision's default trains them. Its "finetune" variant
# freezes them too (and, unlike us, conv1 and layer1), so both are shown.
echo "torchvision: train step batch 2, frozen batch norm" >&2
peer --phase train --batch 2 --runs $runs --variant finetune > "$work/peer_train_2_frozen.json"

# The peer with glibc's allocator tuned (as our process always runs), fp32 and bf16, and the matmul rates.
echo "torchvision: fp32, tuned allocator" >&2
peer --phase infer --size $s512 --runs $runs --malloc tuned  > "$work/peer_infer_512_tuned.json"
peer --phase infer --size $s800 --runs $runs --malloc tuned  > "$work/peer_infer_800_tuned.json"
peer --phase train --batch 2 --runs $runs --malloc tuned      > "$work/peer_train_2_tuned.json"
peer --phase matmul --mm-runs $runs --malloc tuned            > "$work/peer_matmul_fp32.json"
# Batched throughput: `predict` over JPEG files (batches of 4 at 512x512, 2 at 800x1333) and the peer's batched call.
echo "ours and torchvision: batched inference" >&2
ours infer-batch $s512 4 > "$work/ours_batch_512.json"
ours infer-batch $s800 2 > "$work/ours_batch_800.json"
peer_batched $s512 4 --runs $runs > "$work/peer_batch_512.json"
peer_batched $s800 2 --runs $runs > "$work/peer_batch_800.json"
if [ $has_bf16 = 1 ]; then
  ours infer-batch $s512 4 --precision bf16 > "$work/ours_batch_512_bf16.json"
  ours infer-batch $s800 2 --precision bf16 > "$work/ours_batch_800_bf16.json"
  peer_batched $s512 4 --runs $runs --precision bf16 > "$work/peer_batch_512_bf16.json"
  peer_batched $s800 2 --runs $runs --precision bf16 > "$work/peer_batch_800_bf16.json"
fi
if [ $has_bf16 = 1 ]; then
  echo "ours: bf16" >&2
  ours infer $s512 --repeats $runs --precision bf16 > "$work/ours_infer_512_bf16.json"
  ours infer $s800 --repeats $runs --precision bf16 > "$work/ours_infer_800_bf16.json"
  ours train 2 --repeats $runs --precision bf16     > "$work/ours_train_2_bf16.json"
  echo "torchvision: bf16, tuned allocator (the peer at its best)" >&2
  peer --phase infer --size $s512 --runs $runs --malloc tuned --precision bf16 > "$work/peer_infer_512_bf16.json"
  peer --phase infer --size $s800 --runs $runs --malloc tuned --precision bf16 > "$work/peer_infer_800_bf16.json"
  peer --phase train --batch 2 --runs $runs --malloc tuned --precision bf16     > "$work/peer_train_2_bf16.json"
  peer --phase matmul --mm-runs $runs --malloc tuned --precision bf16           > "$work/peer_matmul_bf16.json"
else
  echo "this CPU has no fast bfloat16 (no avx512_bf16, amx_bf16 or bf16 flag): bf16 rows skipped" >&2
fi

QUICK=$quick /usr/bin/python3 benchmarks/compare.py "$work"
