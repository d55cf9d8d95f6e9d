"""Where a training step's time goes, op by op, from TensorFlow's profiler.

`tf.profiler` writes an XSpace trace; its protobuf ships with TensorFlow, so the
trace is read here without TensorBoard's profile plugin. Ops are timed on the
executor's threads (`tf_Compute`), one op at a time when the profile runs with
one inter-op thread, so their times add up to the step and each op's share is
its share of the step.
"""

from __future__ import annotations

import glob
import re
import tempfile
from collections import defaultdict

from benchmark.scenarios import RunConfig

# Op type -> what kind of work it is. oneDNN ops carry an `_Mkl`/`_MklNative`
# prefix, removed before the lookup.
CATEGORIES: dict[str, tuple[str, ...]] = {
    "convolution": ("Conv2D", "Conv2DBackpropInput", "Conv2DBackpropFilter",
                    "Conv2DBackpropFilterWithBias", "FusedConv2D", "DepthwiseConv2dNative"),
    "matmul": ("MatMul", "FusedMatMul", "BatchMatMulV2"),
    "fused batch norm": ("FusedBatchNormV3", "FusedBatchNormGradV3", "FusedBatchNormEx"),
    "pooling": ("MaxPool", "MaxPoolGrad", "AvgPool", "AvgPoolGrad"),
    "variable reads and writes": ("ReadVariableOp", "AssignVariableOp", "AssignAddVariableOp",
                                  "AssignSubVariableOp", "Assign", "AssignAdd"),
}
# Other ops, by the layer or scope in their name: Keras 3 builds batch
# normalisation from element-wise ops (`moments`, `batchnorm` scopes) and the
# optimizer's update from more of them (`adam` scope).
SCOPES: dict[str, tuple[str, ...]] = {
    "batch norm (element-wise ops)": ("/moments/", "/batchnorm/", "_bn_", "_bn/",
                                      "batch_normalization"),
    "optimizer update": ("/adam/", "/sgd/", "/optimizer/"),
}
OTHER = "other element-wise and reductions"
# Ops of the classification head (layer names of models.build), forward and
# backward, whatever their type: the paper calls ArcFace's cost negligible.
HEAD = re.compile(r"/(arcface|dropout_1|dropout_2|flatten|softmax)(_\d+)?/")


def categorise(op_type: str, name: str = "") -> str:
    """The kind of work of one op, from its type, else from its scope in `name`."""
    base = op_type.removeprefix("_").removeprefix("MklNative").removeprefix("Mkl")
    for category, types in CATEGORIES.items():
        if base in types:
            return category
    lowered = name.lower()
    for category, marks in SCOPES.items():
        if any(mark in lowered for mark in marks):
            return category
    return OTHER


def summarise(xspace: bytes, steps: int) -> dict:
    """Seconds per step by op type and by category, from one XSpace trace."""
    from tensorflow.tsl.profiler.protobuf import xplane_pb2

    space = xplane_pb2.XSpace()
    space.ParseFromString(xspace)
    events = []
    for plane in space.planes:
        for line in plane.lines:
            if not line.name.startswith("tf_Compute"):
                continue
            for event in line.events:
                meta = plane.event_metadata[event.metadata_id]
                if meta.display_name:  # executor bookkeeping events have no op type
                    events.append((meta.display_name, meta.name, event.duration_ps / 1e12))
    return tally(events, steps)


def tally(events: list[tuple[str, str, float]], steps: int) -> dict:
    """Per-step seconds and shares of the op time, by category and by op type.

    events: (op type, op name, seconds) of every op run in `steps` steps.
    """
    if steps < 1:
        raise ValueError(f"steps must be >= 1, got {steps}")
    total = sum(sec for _, _, sec in events)
    if total <= 0:
        raise ValueError("the trace holds no timed ops: was the step run while profiling?")
    by_category: dict[str, float] = defaultdict(float)
    by_type: dict[str, float] = defaultdict(float)
    calls: dict[str, int] = defaultdict(int)
    head = 0.0
    for op_type, name, sec in events:
        head += sec if HEAD.search(name) else 0.0
        by_category[categorise(op_type, name)] += sec
        by_type[op_type] += sec
        calls[op_type] += 1
    return {
        "steps": steps,
        "op_seconds_per_step": total / steps,
        "head": {"seconds_per_step": head / steps, "share": head / total},
        "categories": {c: {"seconds_per_step": sec / steps, "share": sec / total}
                       for c, sec in sorted(by_category.items(), key=lambda kv: -kv[1])},
        "ops": [{"type": t, "calls_per_step": calls[t] / steps,
                 "seconds_per_step": sec / steps, "share": sec / total}
                for t, sec in sorted(by_type.items(), key=lambda kv: -kv[1])],
    }


def random_train_step(cfg: RunConfig, n_classes: int = 15, batch: int = 32):
    """One compiled train step of a scenario's real model on random images.

    Returns the model and a function that runs one step and returns its loss
    once the step has finished.
    """
    import tensorflow as tf

    from benchmark import models

    built = models.build(cfg, n_classes)
    size = cfg.settings.image_size
    x = tf.random.uniform((batch, size, size, 3), 0, 255)
    y = tf.one_hot(tf.random.uniform((batch,), 0, n_classes, tf.int32), n_classes)
    inputs = (x, y) if built.labels_as_input else x
    batches = iter(tf.data.Dataset.from_tensors((inputs, y)).repeat())
    built.train.make_train_function()
    fn = built.train.train_function
    return built.train, lambda: float(fn(batches)["loss"])


def profile(step, steps: int = 2, warmup: int = 2) -> dict:
    """Run `step` (a train step that returns when done) under tf.profiler."""
    import tensorflow as tf

    for _ in range(warmup):
        step()
    with tempfile.TemporaryDirectory(prefix="op-profile-") as logdir:
        tf.profiler.experimental.start(logdir)
        try:
            for _ in range(steps):
                step()
        finally:
            tf.profiler.experimental.stop()
        (trace,) = glob.glob(f"{logdir}/**/*.xplane.pb", recursive=True)
        with open(trace, "rb") as f:
            return summarise(f.read(), steps)


def as_text(summary: dict, top: int = 12) -> str:
    """The category table, then the costliest op types."""
    head = summary["head"]
    lines = [f"op time per step: {summary['op_seconds_per_step']:.3f} s "
             f"(mean of {summary['steps']} steps); classification head "
             f"{head['seconds_per_step']:.3f} s ({100 * head['share']:.1f}%)", "",
             f"{'category':34s} s/step   share"]
    for name, c in summary["categories"].items():
        lines.append(f"{name:34s} {c['seconds_per_step']:6.3f}  {100 * c['share']:5.1f}%")
    lines += ["", f"{'op type':40s} calls  s/step   share"]
    for op in summary["ops"][:top]:
        lines.append(f"{op['type']:40s} {op['calls_per_step']:5.0f}  "
                     f"{op['seconds_per_step']:6.3f}  {100 * op['share']:5.1f}%")
    return "\n".join(lines)
