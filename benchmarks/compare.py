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
