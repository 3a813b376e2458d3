#!/usr/bin/env python3
"""Check that a Keras HDF5 file written by RetinaNet.Core holds what Keras' legacy h5 loader reads.

Follows keras/saving/legacy/hdf5_format.py (Keras 2.12): load_model_from_hdf5, load_weights_from_hdf5_group,
load_attributes_from_hdf5_group, load_optimizer_weights_from_hdf5_group. Needs only h5py and numpy, not Keras.

Usage: check_h5_with_h5py.py FILE [--weights-only]
Prints a one-line summary and exits 0 when the file is fine; prints the first problem and exits 1 otherwise.
"""
import json
import sys

import h5py
import numpy as np

# Keras' HDF5_OBJECT_HEADER_LIMIT: larger name lists must be split into name0, name1, ...
ATTRIBUTE_LIMIT = 64512
MODEL_CLASSES = ("Functional", "Model", "Sequential")


class Problem(Exception):
    pass


def check(condition, message):
    if not condition:
        raise Problem(message)


def decode(value):
    # h5py 3 returns str for variable-length strings, bytes for fixed-length ones; Keras accepts both.
    return value.decode("utf8") if hasattr(value, "decode") else value


def string_attribute(obj, name):
    """A scalar string attribute, as Keras reads keras_version, backend, model_config, training_config."""
    check(name in obj.attrs, f"{obj.name}: attribute '{name}' is missing")
    check(h5py.check_string_dtype(obj.attrs.get_id(name).dtype) is not None,
          f"{obj.name}@{name}: not a string attribute")
    value = decode(obj.attrs[name])
    check(isinstance(value, str), f"{obj.name}@{name}: does not decode to a string")
    return value


def names_attribute(group, name):
    """load_attributes_from_hdf5_group: the whole list, or the chunks name0, name1, ... concatenated."""
    if name in group.attrs:
        keys = [name]
    else:
        keys = []
        while f"{name}{len(keys)}" in group.attrs:
            keys.append(f"{name}{len(keys)}")
    check(keys, f"{group.name}: attribute '{name}' is missing")
    names = []
    for key in keys:
        stored = group.attrs.get_id(key)
        values = np.asarray(group.attrs[key])
        check(values.ndim == 1, f"{group.name}@{key}: must be one-dimensional, has shape {values.shape}")
        if values.size == 0:
            # Keras writes "no weights" as an empty float64 array.
            check(values.dtype == np.float64, f"{group.name}@{key}: an empty list must be float64, is {values.dtype}")
        else:
            check(h5py.check_string_dtype(stored.dtype) is not None, f"{group.name}@{key}: not strings")
            check(stored.get_storage_size() <= ATTRIBUTE_LIMIT,
                  f"{group.name}@{key}: {stored.get_storage_size()} bytes, over Keras' {ATTRIBUTE_LIMIT}-byte limit")
        names.extend(decode(v) for v in values)
    return names


def weights_group(group):
    """load_weights_from_hdf5_group: layer_names, then each layer group's weight_names and datasets."""
    string_attribute(group, "backend")
    string_attribute(group, "keras_version")
    layer_names = names_attribute(group, "layer_names")
    check(len(set(layer_names)) == len(layer_names), f"{group.name}@layer_names: duplicate names")
    shapes = {}
    for layer in layer_names:
        check(layer in group and isinstance(group[layer], h5py.Group), f"{group.name}: no group for layer '{layer}'")
        shapes[layer] = weight_datasets(group[layer])
    return layer_names, shapes


def weight_datasets(group):
    shapes = []
    for weight in names_attribute(group, "weight_names"):
        check(weight in group and isinstance(group[weight], h5py.Dataset), f"{group.name}: no dataset '{weight}'")
        dataset = group[weight]
        check(dataset.dtype.kind in "fiu", f"{dataset.name}: dtype {dataset.dtype} is not numeric")
        value = np.asarray(dataset)  # Keras reads every value with np.asarray
        check(value.shape == dataset.shape, f"{dataset.name}: read {value.shape}, declared {dataset.shape}")
        check(dataset.dtype == np.float32 or dataset.shape == (), f"{dataset.name}: weights must be float32, is {dataset.dtype}")
        shapes.append(dataset.shape)
    return shapes


def coordinates(value, names, what):
    check(isinstance(value, list) and value, f"{what}: must be a non-empty list")
    for item in value:
        check(isinstance(item, list) and len(item) == 3 and item[0] in names
              and isinstance(item[1], int) and isinstance(item[2], int),
              f"{what}: {item} is not [known_layer, node_index, tensor_index]")


def functional_config(config, where):
    """The structure reconstruct_from_config relies on; returns the layer entries."""
    for key in ("name", "layers", "input_layers", "output_layers"):
        check(key in config, f"{where}: key '{key}' is missing")
    layers = config["layers"]
    names = [entry.get("name") for entry in layers]
    for entry in layers:
        for key in ("class_name", "config", "name", "inbound_nodes"):
            check(key in entry, f"{where}: layer entry {entry.get('name')} lacks '{key}'")
        for node in entry["inbound_nodes"]:
            check(isinstance(node, list) and node, f"{where}/{entry['name']}: a node must be a non-empty list")
            for tensor in node:
                check(isinstance(tensor, list) and len(tensor) == 4 and tensor[0] in names
                      and isinstance(tensor[1], int) and isinstance(tensor[2], int) and isinstance(tensor[3], dict),
                      f"{where}/{entry['name']}: inbound entry {tensor} is not [layer, node_index, tensor_index, kwargs]")
        if entry["class_name"] in MODEL_CLASSES:
            functional_config(entry["config"], f"{where}/{entry['name']}")
    coordinates(config["input_layers"], names, f"{where}: input_layers")
    coordinates(config["output_layers"], names, f"{where}: output_layers")
    return layers


def expected_weight_shapes(entry, shapes):
    """Conv2D and Dense weights must have Keras' layout: kernel (kh, kw, in, filters) / (in, units), bias (n,)."""
    config, found = entry["config"], shapes[entry["name"]]
    if entry["class_name"] == "Conv2D":
        check(len(found[0]) == 4 and list(found[0][:2]) == config["kernel_size"] and found[0][3] == config["filters"],
              f"{entry['name']}: kernel {found[0]} does not fit kernel_size {config['kernel_size']}, filters {config['filters']}")
        if config.get("use_bias", True):
            check(found[1] == (config["filters"],), f"{entry['name']}: bias {found[1]}")
    elif entry["class_name"] == "Dense":
        check(len(found[0]) == 2 and found[0][1] == config["units"], f"{entry['name']}: kernel {found[0]}, units {config['units']}")
        if config.get("use_bias", True):
            check(found[1] == (config["units"],), f"{entry['name']}: bias {found[1]}")


def model_file(f):
    string_attribute(f, "keras_version")
    string_attribute(f, "backend")
    model_config = json.loads(string_attribute(f, "model_config"))
    check(model_config.get("class_name") in MODEL_CLASSES, f"model_config class_name {model_config.get('class_name')}")
    check("model_weights" in f, "group model_weights is missing")
    layer_names, shapes = weights_group(f["model_weights"])
    if model_config["class_name"] == "Sequential":
        # Keras' Sequential.layers leaves out the InputLayer; old files store the layer list itself.
        config = model_config["config"]
        entries = config if isinstance(config, list) else config["layers"]
        layers = [{**entry, "name": entry.get("name", entry["config"].get("name"))}
                  for entry in entries if entry["class_name"] != "InputLayer"]
    else:
        layers = functional_config(model_config["config"], "model_config")
    check([entry["name"] for entry in layers] == layer_names,
          "model_weights@layer_names must list the config's layers in order")
    for entry in layers:
        expected_weight_shapes(entry, shapes)
    summary = f"{len(layer_names)} layers, {sum(len(s) for s in shapes.values())} weights"
    if "training_config" in f.attrs:
        training = json.loads(string_attribute(f, "training_config"))
        check("loss" in training, "training_config: 'loss' is missing")
        optimizer = training.get("optimizer_config")
        check(isinstance(optimizer, dict) and "class_name" in optimizer and isinstance(optimizer.get("config"), dict),
              "training_config: optimizer_config must be {class_name, config}")
        summary += f", compiled with {optimizer['class_name']}"
    if "optimizer_weights" in f:
        summary += f", {len(weight_datasets(f['optimizer_weights']))} optimizer weights"
    return summary


def main(argv):
    if len(argv) < 2:
        print(__doc__)
        return 2
    path, weights_only = argv[1], "--weights-only" in argv[2:]
    try:
        with h5py.File(path, "r") as f:
            if weights_only:
                check("model_config" not in f.attrs, "a weights file has no model_config")
                layer_names, shapes = weights_group(f)
                summary = f"{len(layer_names)} layers, {sum(len(s) for s in shapes.values())} weights"
            else:
                summary = model_file(f)
    except Problem as problem:
        print(f"FAIL {path}: {problem}")
        return 1
    print(f"OK {path}: {summary}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
