#!/usr/bin/python3
"""Reads the JSON lines written by run.sh and prints the table and one line per target (issue 7)."""
import json
import os
import sys

work = sys.argv[1]


def load(name):
    with open(os.path.join(work, name + ".json")) as f:
        return json.loads(f.read().strip().splitlines()[-1])


def median(stats):
    """The peer reports timings as {"median_s": …} dicts (or dicts of them, with a "total" entry)."""
    if isinstance(stats, dict) and "median_s" in stats:
        return stats["median_s"]
    if isinstance(stats, dict) and "total" in stats:
        return median(stats["total"])
    raise ValueError(f"no median in {stats}")


o512, o800 = load("ours_infer_512"), load("ours_infer_800")
p512, p800 = load("peer_infer_512"), load("peer_infer_800")
o1, o2, p1, p2 = load("ours_train_1"), load("ours_train_2"), load("peer_train_1"), load("peer_train_2")
p2_frozen = load("peer_train_2_frozen")
h5, data = load("ours_h5"), load("ours_data")

def network(peer):
    return median(peer["stages"]["network only (body+fpn+heads)"])


rows = [
    ("inference 512x512 (s)", o512["end_to_end_s"], median(p512["end_to_end"])),
    ("  network only", o512["network_s"], network(p512)),
    ("inference 800x1333 (s)", o800["end_to_end_s"], median(p800["end_to_end"])),
    ("  network only", o800["network_s"], network(p800)),
    ("  post-processing, score 0", o800["postprocess_s"], median(p800["postprocess_score_thresh0"])),
    ("train step 512x512 b1 (s)", o1["step_s"], median(p1["step"])),
    ("train step 512x512 b2 (s)", o2["step_s"], median(p2["step"])),
    ("  vs frozen-BN variant", o2["step_s"], median(p2_frozen["step"])),
    ("peak RSS inference 800x1333 (MiB)", o800["peak_rss_mib"], p800["peak_rss_mib"]),
    ("peak RSS inference 512x512 (MiB)", o512["peak_rss_mib"], p512["peak_rss_mib"]),
    ("peak RSS train step b2 (MiB)", o2["peak_rss_mib"], p2["peak_rss_mib"]),
    ("  vs frozen-BN variant", o2["peak_rss_mib"], p2_frozen["peak_rss_mib"]),
]
print(f"{'measurement':36s} {'ours':>10s} {'torchvision':>12s} {'ratio':>7s}")
for name, ours, peer in rows:
    print(f"{name:36s} {ours:10.3f} {peer:12.3f} {ours / peer:7.2f}")
# The same exported model on ONNX Runtime (CPU, default threads), issue 16.
ort512, ort800 = load("ort_infer_512"), load("ort_infer_800")
for name, ort, ours, peer in [("512x512", ort512, o512, p512), ("800x1333", ort800, o800, p800)]:
    t, p = ort["end_to_end_s"], median(peer["end_to_end"])
    print(f"{'onnx runtime inference ' + name + ' (s)':36s} {t:10.3f} {p:12.3f} {t / p:7.2f}   (TorchSharp/ORT {ours['end_to_end_s'] / t:.2f})")
print(f"{'.h5 load ResNet-50 (s)':36s} {h5['load_s']:10.3f}   ({h5['file_mb']:.0f} MB)")
print(f"{'data pipeline (images/s)':36s} {data['images_per_s']:10.1f}")


def target(name, ours, peer, limit):
    ratio = ours / peer
    print(f"{name} ours={ours:.3f} torchvision={peer:.3f} ratio={ratio:.2f} target<={limit} {'met' if ratio <= limit else 'missed'}")


target("inference_800x1333", o800["end_to_end_s"], median(p800["end_to_end"]), 0.75)
target("inference_512x512", o512["end_to_end_s"], median(p512["end_to_end"]), 0.8)
target("train_step_512_b2", o2["step_s"], median(p2["step"]), 0.9)
target("peak_memory_inference_800x1333", o800["peak_rss_mib"], p800["peak_rss_mib"], 1.1)
post, peer_post = o800["postprocess_s"], median(p800["postprocess_score_thresh0"])
print(f"postprocess_800x1333_score0 ours={post:.3f} torchvision={peer_post:.3f} ratio={post / peer_post:.2f} "
      f"target<=0.1s {'met' if post <= 0.1 else 'missed'}")


# Issue 19: precision, the peer three ways, FLOP floors. Sizes are the full ones unless QUICK=1 (then only a smoke test).
def exists(name):
    return os.path.exists(os.path.join(work, name + ".json"))


def gflops(name):
    return load(name)["mm_2048_threads2"]["gflops"]


# Conv FLOPs of ResNet-50 RetinaNet (FLOP = 2 MAC; the peer's `--phase flops`): 124 at 512x512, 509 at 800x1344;
# a training step is about 3x the forward pass per image.
FLOP = {"inference 512x512": 124e9, "inference 800x1333": 509e9, "train step 512x512 b2": 2 * 3 * 124e9}
quick = os.environ.get("QUICK") == "1"
print()
if quick:
    print("(--quick: small images and one run; the figures below check the script, they measure nothing)")
p512t, p800t, p2t = load("peer_infer_512_tuned"), load("peer_infer_800_tuned"), load("peer_train_2_tuned")
mm32 = gflops("peer_matmul_fp32")
has_bf16 = exists("ours_infer_512_bf16")
if has_bf16:
    o512b, o800b, o2b = load("ours_infer_512_bf16"), load("ours_infer_800_bf16"), load("ours_train_2_bf16")
    p512b, p800b, p2b = load("peer_infer_512_bf16"), load("peer_infer_800_bf16"), load("peer_train_2_bf16")
    mm16 = gflops("peer_matmul_bf16")
print(f"{'measurement':28s} {'ours fp32':>10s} {'ours bf16':>10s} {'tv default':>11s} {'tv fp32 tuned':>14s} {'tv bf16 tuned':>14s} {'floor fp32':>11s} {'floor bf16':>11s}")
table = [
    ("inference 512x512", o512["end_to_end_s"], o512b["end_to_end_s"] if has_bf16 else None, median(p512["end_to_end"]),
     median(p512t["end_to_end"]), median(p512b["end_to_end"]) if has_bf16 else None),
    ("inference 800x1333", o800["end_to_end_s"], o800b["end_to_end_s"] if has_bf16 else None, median(p800["end_to_end"]),
     median(p800t["end_to_end"]), median(p800b["end_to_end"]) if has_bf16 else None),
    ("train step 512x512 b2", o2["step_s"], o2b["step_s"] if has_bf16 else None, median(p2["step"]),
     median(p2t["step"]), median(p2b["step"]) if has_bf16 else None),
]


def cell(value, width):
    return f"{value:{width}.3f}" if value is not None else f"{'n/a':>{width}s}"


for name, of, ob, pd, pt, pb in table:
    floor32 = FLOP[name] / (mm32 * 1e9)
    floor16 = FLOP[name] / (mm16 * 1e9) if has_bf16 else None
    print(f"{name:28s} {cell(of, 10)} {cell(ob, 10)} {cell(pd, 11)} {cell(pt, 14)} {cell(pb, 14)} {cell(floor32, 11)} {cell(floor16, 11)}")
print(f"2048^3 matmul, 2 threads: {mm32:.0f} GFLOP/s fp32" + (f", {mm16:.0f} GFLOP/s bf16" if has_bf16 else ", bf16 n/a"))
print(f"peak RSS train step b2 (MiB): ours fp32 {o2['peak_rss_mib']:.0f}" + (f", ours bf16 {o2b['peak_rss_mib']:.0f}" if has_bf16 else "")
      + f"; torchvision default {p2['peak_rss_mib']:.0f}, frozen BN {p2_frozen['peak_rss_mib']:.0f}")


def target2(name, ours, peer, limit, versus):
    ratio = ours / peer
    print(f"{name} ours={ours:.3f} {versus}={peer:.3f} ratio={ratio:.2f} target<={limit} {'met' if ratio <= limit else 'missed'}")


names = {"inference 512x512": "inference_512x512", "inference 800x1333": "inference_800x1333", "train step 512x512 b2": "train_step_512_b2"}
best_limits = {"inference 512x512": 0.8, "inference 800x1333": 0.9, "train step 512x512 b2": 0.8}
for name, of, ob, pd, pt, pb in table:
    target2(names[name] + "_fp32_vs_tv_fp32_tuned", of, pt, 1.0, "tv_fp32_tuned")
    if has_bf16:
        target2(names[name] + "_bf16_vs_tv_best", ob, pb, best_limits[name], "tv_bf16_tuned")
        target2(names[name] + "_bf16_vs_tv_fp32_tuned", ob, pt, 0.6, "tv_fp32_tuned")
    else:
        print(f"{names[name]}_bf16 skipped: no fast bfloat16 on this CPU")
target2("peak_memory_train_step_b2_fp32_vs_tv_default", o2["peak_rss_mib"], p2["peak_rss_mib"], 1.0, "tv_default")
target2("peak_memory_train_step_b2_fp32_vs_tv_frozen_bn", o2["peak_rss_mib"], p2_frozen["peak_rss_mib"], 1.2, "tv_frozen_bn")
if has_bf16:
    target2("peak_memory_train_step_b2_bf16_vs_tv_default", o2b["peak_rss_mib"], p2["peak_rss_mib"], 1.0, "tv_default")
    target2("peak_memory_train_step_b2_bf16_vs_tv_frozen_bn", o2b["peak_rss_mib"], p2_frozen["peak_rss_mib"], 1.2, "tv_frozen_bn")

# Batched throughput (issue 19 item 4): ours is `predict` from JPEG files (decoding included, overlapped with the
# network); torchvision's is model(list of B tensors) on images already in memory, the peer at the allocator's best.
print()
print(f"{'batched inference (images/s)':34s} {'ours serial':>11s} {'ours b1':>8s} {'ours bB':>8s} {'tv b1':>8s} {'tv bB':>8s} {'ours bB / tv bB':>16s}")
for size, precisions in (("512", ("fp32", "bf16")), ("800", ("fp32", "bf16"))):
    for precision in precisions:
        suffix = "" if precision == "fp32" else "_bf16"
        if not exists(f"ours_batch_{size}{suffix}") or "skipped" in load(f"ours_batch_{size}{suffix}"):
            print(f"batched {size} {precision}: skipped (no fast bfloat16 on this CPU)")
            continue
        ours, tv = load(f"ours_batch_{size}{suffix}"), load(f"peer_batch_{size}{suffix}")
        name = f"{tv['size']} b{ours['batch']} {precision}"
        print(f"{name:34s} {ours['serial_images_per_s']:11.3f} {ours['overlapped_images_per_s']:8.3f} {ours['batched_images_per_s']:8.3f} "
              f"{tv['images_per_s_b1']:8.3f} {tv['images_per_s_batched']:8.3f} {ours['batched_images_per_s'] / tv['images_per_s_batched']:16.2f}")
