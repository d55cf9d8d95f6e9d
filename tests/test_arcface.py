"""ArcFace against formula (1) computed by hand, and its Keras plumbing."""

import math

import keras
import numpy as np
import pytest

from benchmark.arcface import ArcFace, add_margin, cosine


def reference_logits(features, weights, onehot, s, m):
    """Formula (1) in NumPy: s*cos(theta_y + m) for the target, s*cos(theta_j) else."""
    f = features / np.linalg.norm(features, axis=1, keepdims=True)
    w = weights / np.linalg.norm(weights, axis=0, keepdims=True)
    theta = np.arccos(np.clip(f @ w, -1, 1))
    return s * np.where(onehot > 0, np.cos(theta + m), np.cos(theta))


def test_cosine_is_the_dot_product_of_unit_vectors():
    f = np.array([[3.0, 4.0]])
    w = np.array([[1.0, 0.0], [0.0, 2.0]])
    assert np.asarray(cosine(f, w)) == pytest.approx(np.array([[0.6, 0.8]]), abs=1e-5)


def test_margin_goes_on_the_target_class_only():
    cos = np.array([[0.6, 0.8]], dtype=np.float32)
    out = np.asarray(add_margin(cos, np.array([[1.0, 0.0]]), 0.5))
    theta = math.acos(0.6)
    assert out[0, 0] == pytest.approx(math.cos(theta + 0.5), abs=1e-5)
    assert out[0, 1] == pytest.approx(0.8, abs=1e-6)


def test_logits_match_formula_1_by_hand():
    # feature at 60 degrees from class 0 and 30 degrees from class 1; label 0
    f = np.array([[1.0, 0.0]], dtype=np.float32)
    angle0, angle1 = math.radians(60), math.radians(30)
    w = np.array([[math.cos(angle0), math.cos(angle1)],
                  [math.sin(angle0), -math.sin(angle1)]], dtype=np.float32)
    layer = ArcFace(2, s=10.0, m=0.5, output_mode="logits")
    layer.build([(None, 2), (None, 2)])
    layer.w.assign(w)
    out = np.asarray(layer([f, np.array([[1.0, 0.0]], dtype=np.float32)]))
    assert out[0, 0] == pytest.approx(10 * math.cos(math.radians(60) + 0.5), abs=1e-4)
    assert out[0, 1] == pytest.approx(10 * math.cos(math.radians(30)), abs=1e-4)


def test_matches_numpy_reference_on_random_inputs():
    rng = np.random.default_rng(0)
    f = rng.normal(size=(6, 8)).astype(np.float32)
    onehot = np.eye(4, dtype=np.float32)[rng.integers(0, 4, 6)]
    layer = ArcFace(4, s=30.0, m=0.3, output_mode="logits")
    out = np.asarray(layer([f, onehot]))
    ref = reference_logits(f, np.asarray(layer.w), onehot, 30.0, 0.3)
    assert out == pytest.approx(ref, abs=2e-3)


def test_softmax_output_is_the_softmax_of_the_logits():
    rng = np.random.default_rng(1)
    f = rng.normal(size=(3, 5)).astype(np.float32)
    layer = ArcFace(4, s=8.0)
    p = np.asarray(layer(f))
    ref = reference_logits(f, np.asarray(layer.w), np.zeros((3, 4)), 8.0, 0.0)
    soft = np.exp(ref) / np.exp(ref).sum(axis=1, keepdims=True)
    assert p == pytest.approx(soft, abs=1e-4)
    assert p.sum(axis=1) == pytest.approx(1.0, abs=1e-5)


@pytest.mark.parametrize("theta", [0.0, 1e-4, math.pi - 0.6, math.pi - 0.4, math.pi])
def test_no_nan_in_values_or_gradients_at_extreme_angles(theta):
    import tensorflow as tf

    f = tf.Variable([[math.cos(theta), math.sin(theta)]], dtype=tf.float32)
    layer = ArcFace(2, s=64.0, m=0.5, output_mode="logits")
    layer.build([(None, 2), (None, 2)])
    layer.w.assign(np.array([[1.0, 0.0], [0.0, 1.0]], dtype=np.float32))
    with tf.GradientTape() as tape:
        out = layer([f, tf.constant([[1.0, 0.0]])])
        target = out[0, 0]
    grad = tape.gradient(target, [f, layer.w])
    assert np.all(np.isfinite(out.numpy()))
    assert all(np.all(np.isfinite(g.numpy())) for g in grad)


def test_target_logit_keeps_falling_past_pi_minus_m():
    angles = np.linspace(0, math.pi, 200)
    cos = np.cos(angles).astype(np.float32)[:, None]
    target = np.asarray(add_margin(cos, np.ones_like(cos), 0.5))[:, 0]
    assert np.all(np.diff(target) <= 1e-6)


def test_basics_shape_and_one_trainable_weight():
    layer = ArcFace(7)
    out = layer([np.ones((3, 5), np.float32), np.eye(7, dtype=np.float32)[:3]])
    assert out.shape == (3, 7)
    assert len(layer.trainable_weights) == 1 and layer.w.shape == (5, 7)


@pytest.mark.parametrize("kwargs,match", [
    ({"n_classes": 1}, "n_classes"), ({"n_classes": 3, "s": 0}, "scale s > 0"),
    ({"n_classes": 3, "m": 2.0}, "margin"), ({"n_classes": 3, "output_mode": "x"}, "output_mode"),
])
def test_invalid_arguments_are_rejected(kwargs, match):
    with pytest.raises(ValueError, match=match):
        ArcFace(**kwargs)


def test_config_round_trip():
    layer = ArcFace(5, s=30.0, m=0.3, output_mode="logits", name="head")
    again = ArcFace.from_config(layer.get_config())
    assert (again.n_classes, again.s, again.m, again.output_mode, again.name) == (
        5, 30.0, 0.3, "logits", "head")


def test_saved_keras_model_loads_without_custom_objects_and_predicts_the_same(tmp_path):
    x_in = keras.Input((6,))
    model = keras.Model(x_in, ArcFace(3, name="arcface")(keras.layers.Dense(4)(x_in)))
    x = np.random.default_rng(2).normal(size=(5, 6)).astype(np.float32)
    model.save(tmp_path / "m.keras")
    loaded = keras.saving.load_model(tmp_path / "m.keras")
    assert np.asarray(loaded.predict(x, verbose=0)) == pytest.approx(
        np.asarray(model.predict(x, verbose=0)), abs=1e-6)


def test_logits_output_variant_gives_unnormalised_scores():
    rng = np.random.default_rng(3)
    out = np.asarray(ArcFace(4, s=64.0, output_mode="logits")(rng.normal(size=(5, 6))))
    assert np.abs(out).max() > 1.0 and np.abs(out).max() <= 64.0
    assert not np.allclose(out.sum(axis=1), 1.0)
