"""Test metrics in the two conventions the paper's numbers can come from.

`macro`: scikit-learn's per-class precision, recall and F1, averaged over
classes; the usual reading of a multi-class table.
`keras_binary`: Keras' `Precision()` and `Recall()` at threshold 0.5 over the
flattened one-hot outputs, F1 = 2PR/(P+R) (the paper's formula (5)). When the
outputs are not a softmax, many scores pass 0.5 and recall can far exceed
accuracy, as in the paper's Table 3.
"""

from __future__ import annotations

import numpy as np

THRESHOLD = 0.5  # keras.metrics.Precision/Recall default


def f1(precision: float, recall: float) -> float:
    """Formula (5): the harmonic mean, 0 when both are 0."""
    total = precision + recall
    return 2 * precision * recall / total if total else 0.0


def keras_binary(onehot: np.ndarray, scores: np.ndarray, threshold: float = THRESHOLD) -> dict:
    """Precision and recall over every (sample, class) cell, as Keras computes them."""
    truth = np.asarray(onehot).ravel() > 0.5
    predicted = np.asarray(scores).ravel() > threshold
    tp = int(np.sum(truth & predicted))
    fp = int(np.sum(~truth & predicted))
    fn = int(np.sum(truth & ~predicted))
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    return {"precision": precision, "recall": recall, "f1": f1(precision, recall),
            "tp": tp, "fp": fp, "fn": fn}


def macro(y_true: np.ndarray, y_pred: np.ndarray, n_classes: int) -> dict:
    """scikit-learn macro averages over all classes (absent ones count as 0)."""
    from sklearn.metrics import precision_recall_fscore_support

    p, r, f, _ = precision_recall_fscore_support(
        y_true, y_pred, labels=list(range(n_classes)), average="macro", zero_division=0)
    return {"precision": float(p), "recall": float(r), "f1": float(f)}


def evaluate(onehot: np.ndarray, scores: np.ndarray, class_names: list[str]) -> dict:
    """Everything Table 3 needs, in both conventions, plus the confusion matrix."""
    from sklearn.metrics import classification_report, confusion_matrix

    y_true = np.argmax(onehot, axis=1)
    y_pred = np.argmax(scores, axis=1)
    labels = list(range(len(class_names)))
    return {
        "accuracy": float(np.mean(y_true == y_pred)),
        "macro": macro(y_true, y_pred, len(class_names)),
        "keras_binary": keras_binary(onehot, scores),
        "confusion": confusion_matrix(y_true, y_pred, labels=labels).tolist(),
        "per_class": classification_report(y_true, y_pred, labels=labels,
                                           target_names=class_names, zero_division=0,
                                           output_dict=True),
        "n_test": int(len(y_true)),
    }
