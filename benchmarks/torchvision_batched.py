#!/usr/bin/python3
"""torchvision's batched inference figure for run.sh (issue 19, item 4): images/s of retinanet_resnet50_fpn (the peer's
model: random weights, 91 classes, 2 threads, no rescaling) called on a list of B images at once, and on one image,
in eval mode under no_grad; with --precision bf16 under the peer's autocast set-up. Uses the peer script's own model
builder, so the network is exactly the one of its other phases. Prints one JSON line.
   bench_torchvision.py must be importable (run.sh copies it beside this script's working folder).
   torchvision_batched.py HxW B [--runs N] [--precision fp32|bf16]"""
import argparse
import json
import os
import statistics
import sys
import time

import torch

sys.path.insert(0, os.getcwd())  # the peer script, copied to the working folder
import bench_torchvision as peer  # noqa: E402

ap = argparse.ArgumentParser()
ap.add_argument("size")
ap.add_argument("batch", type=int)
ap.add_argument("--runs", type=int, default=3)
ap.add_argument("--precision", default="fp32", choices=["fp32", "bf16"])
args = ap.parse_args()
h, w = map(int, args.size.split("x"))
peer.PRECISION = args.precision
peer.setup()
with torch.autocast("cpu", dtype=torch.bfloat16, enabled=args.precision == "bf16"), torch.no_grad():
    model = peer.build_model(h, w).eval()
    images = [peer.make_image(h, w, peer.SEED + i) for i in range(args.batch)]

    def per_image(call, n):
        call()  # warm-up
        times = []
        for _ in range(args.runs):
            t = time.perf_counter()
            call()
            times.append(time.perf_counter() - t)
        return n / statistics.median(times)

    one = per_image(lambda: model(images[:1]), 1)
    batched = per_image(lambda: model(images), args.batch)
print(json.dumps({"size": args.size, "batch": args.batch, "precision": args.precision, "threads": torch.get_num_threads(),
                  "images_per_s_b1": one, "images_per_s_batched": batched}))
