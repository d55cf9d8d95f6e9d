"""Backbone weights: imagenet offline, none, a local file; the heads' shapes."""

import keras
import pytest

from benchmark import models, scenarios


def cfg(scenario="model1-resnet50-arcface-masked", **overrides):
    return scenarios.resolve(scenario, overrides={"image_size": 32, **overrides})


def test_imagenet_offline_fails_fast_naming_the_cached_file_and_alternatives(monkeypatch):
    def offline(**kwargs):
        raise ConnectionError("no network")

    monkeypatch.setattr(keras.applications, "ResNet50", offline)
    with pytest.raises(ValueError) as err:
        models.backbone(cfg())
    msg = str(err.value)
    assert "resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5" in msg
    assert "--weights none" in msg and "--weights PATH" in msg and "\n" not in msg


def test_missing_weights_file_is_a_clear_error(tmp_path):
    with pytest.raises(ValueError, match="weights file .* not found: pass --weights imagenet"):
        models.resolve_weights("resnet50", str(tmp_path / "nope.h5"))


def test_local_weights_file_is_loaded(tmp_path):
    c = cfg(weights="none")
    source = models.backbone(c)
    path = tmp_path / "resnet.weights.h5"
    source.save_weights(path)
    loaded = models.backbone(cfg(weights=str(path)))
    assert all((a == b).all() for a, b in zip(source.get_weights()[:3],
                                               loaded.get_weights()[:3], strict=True))


def test_arcface_model_has_dropout_flatten_dropout_arcface_and_a_label_input():
    built = models.build(cfg(weights="none"), 4)
    names = [layer.name for layer in built.train.layers
             if not isinstance(layer, keras.layers.InputLayer)][-4:]
    assert names == ["dropout_1", "flatten", "dropout_2", "arcface"]
    assert len(built.train.inputs) == 2 and len(built.infer.inputs) == 1
    assert built.infer.output.shape == (None, 4)


def test_baseline_is_backbone_then_dense_softmax():
    built = models.build(cfg("baseline-resnet50-masked", weights="none"), 4)
    assert built.train.layers[-1].name == "softmax" and not built.labels_as_input


def test_mixed_precision_builds_a_mixed_backbone_with_float32_heads():
    for scenario, head in (("model1-resnet50-arcface-masked", "arcface"),
                           ("baseline-resnet50-masked", "softmax")):
        built = models.build(cfg(scenario, weights="none", precision="mixed_bfloat16"), 4)
        assert built.train.get_layer(head).dtype_policy.name == "float32"
        backbone = built.train.layers[2 if head == "arcface" else 1]
        assert backbone.dtype_policy.name == "mixed_bfloat16"
        assert built.infer.output.dtype == "float32"
    models.build(cfg(weights="none"), 4)  # back to float32 for the tests after this one


def test_float32_is_the_default_policy_after_a_mixed_build():
    models.build(cfg(weights="none", precision="mixed_bfloat16"), 4)
    built = models.build(cfg(weights="none"), 4)
    assert all(layer.dtype_policy.name == "float32" for layer in built.train.layers)


def test_auto_mixed_policy_is_bfloat16_without_a_gpu(monkeypatch):
    monkeypatch.setattr(models.tf.config, "list_physical_devices", lambda kind: [])
    assert models.mixed_policy("auto") == "mixed_bfloat16"
    monkeypatch.setattr(models.tf.config, "list_physical_devices", lambda kind: ["gpu:0"])
    assert models.mixed_policy("auto") == "mixed_float16"
    assert models.mixed_policy("mixed_bfloat16") == "mixed_bfloat16"
