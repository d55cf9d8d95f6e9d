"""Both metric conventions against hand cases and scikit-learn/Keras."""

import keras
import numpy as np
import pytest

from benchmark import metrics

ONEHOT = np.eye(3, dtype=np.float32)[[0, 0, 1, 2]]


def test_f1_is_the_harmonic_mean_and_zero_when_empty():
    assert metrics.f1(0.5, 1.0) == pytest.approx(2 / 3)
    assert metrics.f1(0.0, 0.0) == 0.0


def test_keras_binary_counts_cells_over_threshold_by_hand():
    scores = np.array([[0.9, 0.1, 0.0],  # tp
                       [0.2, 0.7, 0.6],  # fn + 2 fp
                       [0.1, 0.8, 0.1],  # tp
                       [0.3, 0.3, 0.4]])  # fn
    out = metrics.keras_binary(ONEHOT, scores)
    assert (out["tp"], out["fp"], out["fn"]) == (2, 2, 2)
    assert out["precision"] == pytest.approx(0.5) and out["recall"] == pytest.approx(0.5)


def test_keras_binary_agrees_with_keras_precision_and_recall():
    rng = np.random.default_rng(0)
    scores = rng.uniform(size=(20, 5)).astype(np.float32)
    onehot = np.eye(5, dtype=np.float32)[rng.integers(0, 5, 20)]
    p, r = keras.metrics.Precision(), keras.metrics.Recall()
    p.update_state(onehot, scores)
    r.update_state(onehot, scores)
    out = metrics.keras_binary(onehot, scores)
    assert out["precision"] == pytest.approx(float(p.result()), abs=1e-6)
    assert out["recall"] == pytest.approx(float(r.result()), abs=1e-6)


def test_keras_binary_recall_can_exceed_accuracy_when_outputs_are_not_softmax():
    # every score above 0.5: each true cell is "recalled", but argmax is mostly wrong
    scores = np.array([[0.6, 0.9, 0.7], [0.6, 0.7, 0.9], [0.9, 0.8, 0.7], [0.9, 0.6, 0.7]])
    ev = metrics.evaluate(ONEHOT, scores, ["a", "b", "c"])
    assert ev["accuracy"] == 0.0
    assert ev["keras_binary"]["recall"] == 1.0
    assert ev["keras_binary"]["precision"] == pytest.approx(4 / 12)


def test_macro_recall_cannot_exceed_one_and_matches_sklearn():
    from sklearn.metrics import f1_score, precision_score, recall_score

    y_true, y_pred = np.array([0, 0, 1, 2, 2, 1]), np.array([0, 1, 1, 2, 0, 1])
    out = metrics.macro(y_true, y_pred, 3)
    assert out["precision"] == pytest.approx(precision_score(y_true, y_pred, average="macro"))
    assert out["recall"] == pytest.approx(recall_score(y_true, y_pred, average="macro"))
    assert out["f1"] == pytest.approx(f1_score(y_true, y_pred, average="macro"))


def test_macro_by_hand():
    # class 0: P=1/2 R=1/2; class 1: P=2/3 R=1; class 2: P=1 R=1/2
    out = metrics.macro(np.array([0, 0, 1, 1, 2, 2]), np.array([0, 1, 1, 1, 2, 0]), 3)
    assert out["precision"] == pytest.approx((1 / 2 + 2 / 3 + 1) / 3)
    assert out["recall"] == pytest.approx((1 / 2 + 1 + 1 / 2) / 3)


def test_evaluate_gives_confusion_with_rows_as_truth():
    scores = np.eye(3)[[0, 1, 1, 2]]
    ev = metrics.evaluate(ONEHOT, scores, ["a", "b", "c"])
    assert ev["confusion"] == [[1, 1, 0], [0, 1, 0], [0, 0, 1]]
    assert ev["accuracy"] == 0.75 and ev["per_class"]["a"]["recall"] == 0.5
