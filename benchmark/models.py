"""Backbones and heads of the paper's models (section 3b, Figs. 5 and 6).

Models 1-4: backbone -> Dropout -> Flatten -> Dropout -> ArcFace(classes).
Baseline (Mandal et al.): backbone -> global average pooling -> Dense softmax.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import keras
import tensorflow as tf

from benchmark.arcface import ArcFace
from benchmark.scenarios import RunConfig


@dataclass(frozen=True)
class BackboneSpec:
    build: str  # keras.applications constructor name
    module: str  # keras.applications submodule with preprocess_input
    notop_file: str  # the ImageNet no-top weights file Keras caches


BACKBONES: dict[str, BackboneSpec] = {
    "resnet50": BackboneSpec("ResNet50", "resnet50",
                             "resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5"),
    "inceptionv3": BackboneSpec("InceptionV3", "inception_v3",
                                "inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5"),
}


def preprocess_fn(backbone: str):
    """The backbone's own keras.applications input preprocessing."""
    return getattr(keras.applications, BACKBONES[backbone].module).preprocess_input


def keras_cache() -> Path:
    return Path(os.environ.get("KERAS_HOME", Path.home() / ".keras")) / "models"


def resolve_weights(backbone: str, weights: str) -> str | None:
    """'imagenet' | 'none' | a local weights file -> what keras.applications takes."""
    if weights == "none":
        return None
    if weights == "imagenet":
        return "imagenet"
    if not Path(weights).is_file():
        raise ValueError(f"weights file {weights!r} not found: pass --weights imagenet, "
                         "--weights none, or the path of an existing .h5 weights file")
    return weights


def backbone(cfg: RunConfig, pooling: str | None = None) -> keras.Model:
    spec = BACKBONES[cfg.scenario.backbone]
    weights = resolve_weights(cfg.scenario.backbone, cfg.settings.weights)
    size = cfg.settings.image_size
    try:
        model = getattr(keras.applications, spec.build)(
            include_top=False, weights=weights, input_shape=(size, size, 3), pooling=pooling)
    except Exception as err:  # noqa: BLE001 - a failed download has many exception types
        if weights != "imagenet":
            raise ValueError(f"cannot load weights {weights!r} into {spec.build}: {err}; "
                             "pass --weights none or a no-top weights file for "
                             f"{spec.build}") from None
        raise ValueError(f"ImageNet weights for {spec.build} could not be fetched "
                         f"(offline?): put {spec.notop_file} in {keras_cache()}/, or pass "
                         "--weights none or --weights PATH") from None
    model.trainable = cfg.settings.trainable_backbone
    return model


@dataclass
class Built:
    """The model trained by fit, and the one that predicts without labels."""

    train: keras.Model
    infer: keras.Model
    labels_as_input: bool
    features: keras.Model | None = None  # the ArcFace head's input, for analysis


def mixed_policy(choice: str) -> str:
    """`auto` -> float16 on a GPU (tensor cores), bfloat16 on a CPU (oneDNN, AVX-512 BF16)."""
    if choice != "auto":
        return choice
    return "mixed_float16" if tf.config.list_physical_devices("GPU") else "mixed_bfloat16"


def build(cfg: RunConfig, n_classes: int) -> Built:
    size, s = cfg.settings.image_size, cfg.settings
    # Every layer built below takes this policy; the heads stay float32 so the
    # softmax, the cosines and the margin keep full precision.
    keras.mixed_precision.set_global_policy(s.precision)
    image = keras.Input((size, size, 3), name="image")
    if cfg.scenario.head == "softmax":
        x = backbone(cfg, pooling="avg")(image)
        out = keras.layers.Dense(n_classes, activation="softmax", name="softmax",
                                 dtype="float32")(x)
        model = keras.Model(image, out, name=cfg.scenario.id)
        built = Built(model, model, labels_as_input=False)
    else:
        labels = keras.Input((n_classes,), name="label")
        x = backbone(cfg)(image)
        x = keras.layers.Dropout(s.dropout, name="dropout_1")(x)
        x = keras.layers.Flatten(name="flatten")(x)
        x = keras.layers.Dropout(s.dropout, name="dropout_2")(x)
        head = ArcFace(n_classes, s=s.arcface_s, m=s.arcface_m, output_mode=s.arcface_output,
                       name="arcface", dtype="float32")
        train = keras.Model([image, labels], head([x, labels]), name=cfg.scenario.id)
        infer = keras.Model(image, head(x), name=f"{cfg.scenario.id}-infer")
        built = Built(train, infer, labels_as_input=True, features=keras.Model(image, x))
    built.train.compile(
        optimizer=keras.optimizers.get({"class_name": s.optimizer,
                                        "config": {"learning_rate": s.learning_rate}}),
        loss=s.loss, metrics=["accuracy"], jit_compile=s.jit)
    return built
