"""Reference outputs of torchvision's RetinaNet v1 and v2 for tests/RetinaNet.Tests (TorchVisionReferenceTests).

Usage: /usr/bin/python3 torchvision_retinanet_reference.py OUT_DIR

Builds retinanet_resnet50_fpn and retinanet_resnet50_fpn_v2 with a fixed seed and no download (weights=None,
weights_backbone=None), small transform sizes and few classes; gives the batch norms realistic random statistics
(calibrated on random images, then perturbed) and the heads random weights and biases so that scores spread out;
then writes, into OUT_DIR:
  v1.pth              v1's state_dict (torch.save, zip format)
  v2.safetensors      v2's state_dict (safetensors, written by the small writer below)
  reference.safetensors  the images, targets, torchvision's detections (score_thresh = 0) for [A], [B] and [A, B],
                      and the training losses of one batch with FrozenBatchNorm2d in the backbone.
"""
import json
import struct
import sys

import torch
import torchvision
from torchvision.models.detection import retinanet_resnet50_fpn, retinanet_resnet50_fpn_v2
from torchvision.ops.misc import FrozenBatchNorm2d

NUM_CLASSES = 3
MIN_SIZE, MAX_SIZE = 128, 200


def write_safetensors(path, tensors):
    header, blobs, offset = {}, [], 0
    names = {torch.float32: "F32", torch.int64: "I64"}
    for name, t in tensors.items():
        t = t.detach().contiguous().cpu()
        data = t.numpy().tobytes()
        header[name] = {"dtype": names[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header).encode("utf-8")
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)


def randomise(model, calibration):
    g = torch.Generator().manual_seed(1)
    with torch.no_grad():
        for m in model.head.modules():
            if isinstance(m, torch.nn.Conv2d):
                m.weight.normal_(0, 0.01, generator=g)
                if m.bias is not None:
                    m.bias.normal_(0, 0.1, generator=g)
            if isinstance(m, torch.nn.GroupNorm):
                m.weight.uniform_(0.5, 1.5, generator=g)
                m.bias.normal_(0, 0.1, generator=g)
        model.head.classification_head.cls_logits.bias.normal_(-2.0, 1.0, generator=g)
        model.head.regression_head.bbox_reg.weight.normal_(0, 0.005, generator=g)
        # Batch statistics of random images, then perturbed: activations stay in a realistic range.
        for m in model.backbone.body.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.momentum = 1.0
                m.weight.uniform_(0.5, 1.5, generator=g)
                m.bias.normal_(0, 0.1, generator=g)
        model.backbone.body.train()
        model.transform.eval()
        model.backbone.body(model.transform(list(calibration))[0].tensors)
        for m in model.backbone.body.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.running_var.mul_(torch.empty_like(m.running_var).uniform_(0.8, 1.25, generator=g))
                m.running_mean.add_(torch.empty_like(m.running_mean).normal_(0, 0.05, generator=g))
                m.momentum = 0.1
    model.eval()


def frozen_copy(module):
    """The same network with every BatchNorm2d replaced by FrozenBatchNorm2d holding its values."""
    for name, child in module.named_children():
        if isinstance(child, torch.nn.BatchNorm2d):
            frozen = FrozenBatchNorm2d(child.num_features, eps=child.eps)
            for key in ("weight", "bias", "running_mean", "running_var"):
                getattr(frozen, key).copy_(getattr(child, key).detach())
            setattr(module, name, frozen)
        else:
            frozen_copy(child)
    return module


def main(out):
    torch.manual_seed(0)
    images = [torch.rand(3, 96, 128), torch.rand(3, 150, 100)]
    targets = [
        {"boxes": torch.tensor([[10.0, 12.0, 60.0, 70.0], [70.0, 20.0, 120.0, 50.0]]), "labels": torch.tensor([0, 2])},
        {"boxes": torch.tensor([[5.0, 30.0, 90.0, 140.0]]), "labels": torch.tensor([1])},
    ]
    reference = {"image.0": images[0].permute(1, 2, 0), "image.1": images[1].permute(1, 2, 0)}
    for i, t in enumerate(targets):
        reference[f"target.{i}.boxes"] = t["boxes"]
        reference[f"target.{i}.labels"] = t["labels"]
    calibration = torch.rand(2, 3, 128, 160)
    for variant, factory in (("v1", retinanet_resnet50_fpn), ("v2", retinanet_resnet50_fpn_v2)):
        torch.manual_seed(0)
        model = factory(weights=None, weights_backbone=None, num_classes=NUM_CLASSES, min_size=MIN_SIZE,
                        max_size=MAX_SIZE, score_thresh=0.0)
        randomise(model, calibration)
        if variant == "v1":
            torch.save(model.state_dict(), f"{out}/v1.pth")
        else:
            write_safetensors(f"{out}/v2.safetensors", model.state_dict())
        with torch.no_grad():
            for call, batch in (("a", [0]), ("b", [1]), ("ab", [0, 1])):
                detections = model([images[i] for i in batch])
                for i, d in zip(batch, detections):
                    for key in ("boxes", "scores", "labels"):
                        reference[f"{variant}.{call}.{i}.{key}"] = d[key]
        frozen = frozen_copy(model)
        frozen.train()
        losses = frozen([im for im in images], [dict(t) for t in targets])
        for key, value in losses.items():
            reference[f"{variant}.loss.{key}"] = value.detach().reshape(())
        print(variant, {k: float(v) for k, v in losses.items()})
    write_safetensors(f"{out}/reference.safetensors", reference)
    print("torchvision", torchvision.__version__, "torch", torch.__version__)


if __name__ == "__main__":
    main(sys.argv[1])
