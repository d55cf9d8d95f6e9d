"""Throughput of this machine and of the suite's training and input pipeline.

Each figure is saved in the benchmark's extra_info (img/s, GFLOP/s, the
fraction of the convolution rate measured in the same session), so
`--benchmark-json` holds everything PERFORMANCE.md reports.
"""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys

import numpy as np
import pytest
import tensorflow as tf
from flops import conv2d_flops, train_flops

from benchmark import data, models, op_profile, scenarios

BATCH = 32
RATES: dict[str, float] = {}


def rate(benchmark, flop: float, key: str) -> float:
    gflops = flop / benchmark.stats.stats.median / 1e9
    benchmark.extra_info["gflop_per_s"] = round(gflops, 1)
    RATES[key] = gflops
    return gflops


def test_matmul_rate(benchmark):
    a = tf.random.normal((4096, 4096))
    mm = tf.function(lambda: tf.matmul(a, a))
    mm()
    benchmark.pedantic(lambda: mm().numpy(), rounds=5, warmup_rounds=1)
    rate(benchmark, 2 * 4096**3, "matmul")


@pytest.mark.parametrize("dtype", ["float32", "bfloat16"])
def test_conv3x3_rate(benchmark, dtype):
    """The float32 rate is the yardstick; bfloat16 (oneDNN, AMX) is mixed precision's."""
    x = tf.cast(tf.random.normal((32, 56, 56, 256)), dtype)
    k = tf.cast(tf.random.normal((3, 3, 256, 256)), dtype)
    conv = tf.function(lambda: tf.nn.conv2d(x, k, 1, "SAME"))
    conv()
    benchmark.pedantic(lambda: conv().numpy(), rounds=5, warmup_rounds=1)
    rate(benchmark, conv2d_flops(32, 56, 56, 3, 3, 256, 256),
         "conv" if dtype == "float32" else f"conv-{dtype}")


def step_fn(scenario: str, size: int, backbone: str | None = None,
            precision: str = "float32"):
    """One compiled train step of a scenario's real model on random data."""
    cfg = scenarios.resolve(scenario, overrides={"weights": "none", "image_size": size,
                                                 "precision": precision})
    if backbone:  # the same head on another backbone
        cfg = dataclasses.replace(cfg, scenario=dataclasses.replace(cfg.scenario,
                                                                    backbone=backbone))
    return op_profile.random_train_step(cfg, batch=BATCH)


@pytest.mark.parametrize("backbone,scenario", [("resnet50", "baseline-resnet50-masked"),
                                               ("inceptionv3",
                                                "model2-inceptionv3-arcface-masked")])
@pytest.mark.parametrize("size,precision", [(180, "float32"), (96, "float32"),
                                            (180, "mixed_bfloat16")])
def test_train_step(benchmark, backbone, scenario, size, precision):
    model, step = step_fn(scenario, size, precision=precision)
    benchmark.pedantic(step, rounds=4, warmup_rounds=1)
    ips = BATCH / benchmark.stats.stats.median
    benchmark.extra_info.update(images_per_s=round(ips, 1), backbone=backbone, size=size,
                                precision=precision)
    gflops = rate(benchmark, BATCH * train_flops(model), f"{backbone}-{size}-{precision}")
    if "conv" in RATES:
        benchmark.extra_info["fraction_of_conv_rate"] = round(gflops / RATES["conv"], 3)
    if precision == "mixed_bfloat16" and "conv-bfloat16" in RATES:
        benchmark.extra_info["fraction_of_bfloat16_conv_rate"] = round(
            gflops / RATES["conv-bfloat16"], 3)


@pytest.mark.parametrize("head", ["arcface", "softmax"])
def test_head_cost(benchmark, head):
    """The same InceptionV3 backbone at 96x96 under each head."""
    scenario = ("model2-inceptionv3-arcface-masked" if head == "arcface"
                else "baseline-resnet50-masked")
    model, step = step_fn(scenario, 96, backbone="inceptionv3")
    benchmark.pedantic(step, rounds=6, warmup_rounds=1)
    benchmark.extra_info["seconds_per_step"] = benchmark.stats.stats.median
    RATES[f"head-{head}"] = benchmark.stats.stats.median
    if "head-arcface" in RATES and "head-softmax" in RATES:
        benchmark.extra_info["arcface_over_softmax"] = round(
            RATES["head-arcface"] / RATES["head-softmax"], 3)


@pytest.fixture(scope="module")
def rmfd_files(tmp_path_factory):
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "shared" / "rmfd"
    if not (root / data.TREES["masked"]).is_dir():
        pytest.skip(f"no RMFD copy at {root}")
    inv = data.scan(root, trees=("masked",))
    return data.select(inv, "masked", 19, 15).files


def test_input_pipeline(benchmark, rmfd_files):
    """Read, decode, resize (once), then batch and preprocess through tf.data."""
    pre = models.preprocess_fn("inceptionv3")

    def pipeline():
        x = data.load_images(rmfd_files, 180)
        y = np.zeros((len(x), 15), np.float32)
        for _ in data.make_dataset(x, y, batch_size=BATCH, preprocess=pre,
                                   labels_as_input=False, shuffle_seed=1):
            pass

    benchmark.pedantic(pipeline, rounds=3, warmup_rounds=1)
    benchmark.extra_info["images_per_s"] = round(len(rmfd_files) / benchmark.stats.stats.median, 1)


@pytest.mark.parametrize("option", ["default", "jit", "steps_per_execution_4",
                                    "mixed_bfloat16"])
def test_runner_options(benchmark, option):
    """Each speed option on a ResNet-50 step at 96x96; img/s per option."""
    precision = option if option.startswith("mixed") else "float32"
    cfg = scenarios.resolve("baseline-resnet50-masked", overrides={
        "weights": "none", "image_size": 96, "precision": precision})
    built = models.build(cfg, 15)
    spe = 4 if option == "steps_per_execution_4" else 1
    built.train.compile(optimizer="adam", loss=cfg.settings.loss, metrics=["accuracy"],
                        jit_compile=option == "jit", steps_per_execution=spe)
    x = np.random.default_rng(0).uniform(0, 255, (BATCH * 4, 96, 96, 3)).astype(np.float32)
    y = np.eye(15, dtype=np.float32)[np.arange(BATCH * 4) % 15]
    ds = tf.data.Dataset.from_tensor_slices((x, y)).batch(BATCH).cache()
    built.train.fit(ds, epochs=1, verbose=0)  # tracing
    benchmark.pedantic(lambda: built.train.fit(ds, epochs=1, verbose=0), rounds=3,
                       warmup_rounds=0)
    benchmark.extra_info["images_per_s"] = round(BATCH * 4 / benchmark.stats.stats.median, 1)


@pytest.mark.parametrize("scenario", ["baseline-resnet50-masked",
                                      "model2-inceptionv3-arcface-masked"])
def test_op_profile(benchmark, scenario):
    """Where a 180x180 step's time goes: `python -m benchmark profile` in a fresh
    process (one inter-op thread, so op times add up to the step)."""
    cmd = [sys.executable, "-m", "benchmark", "profile", "--scenario", scenario, "--json"]
    summary: dict = {}

    def profile():
        out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
        summary.update(json.loads(out))

    benchmark.pedantic(profile, rounds=1, warmup_rounds=0)
    cfg = scenarios.resolve(scenario, overrides={"weights": "none"})
    conv_flop = BATCH * train_flops(models.build(cfg, 15).train, dense=False)
    conv_seconds = summary["categories"]["convolution"]["seconds_per_step"]
    info = benchmark.extra_info
    info["op_seconds_per_step"] = round(summary["op_seconds_per_step"], 3)
    info["head_share"] = round(summary["head"]["share"], 4)
    info["shares"] = {c: round(v["share"], 4) for c, v in summary["categories"].items()}
    info["top_ops"] = [{k: round(v, 4) if isinstance(v, float) else v for k, v in op.items()}
                       for op in summary["ops"][:8]]
    info["convolution_gflop_per_s"] = round(conv_flop / conv_seconds / 1e9, 1)
    if "conv" in RATES:
        info["convolution_fraction_of_conv_rate"] = round(
            conv_flop / conv_seconds / 1e9 / RATES["conv"], 3)
