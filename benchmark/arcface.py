"""ArcFace, the additive angular margin head of the paper's formula (1).

Deng, Guo, Xue, Zafeiriou, "ArcFace: Additive Angular Margin Loss for Deep
Face Recognition", https://arxiv.org/abs/1801.07698.
"""

from __future__ import annotations

import math

import keras
from keras import ops

DEFAULT_S = 64.0  # Deng et al., section 3: "the feature scale s is set to 64"
DEFAULT_M = 0.5  # Deng et al., section 3: "angular margin m of ArcFace at 0.5"
OUTPUTS = ("softmax", "logits")
_EPS = 1e-6  # keeps cos away from +-1, so sqrt(1 - cos^2) has a finite gradient


def cosine(features, weights):
    """cos(theta_j) between each L2-normalised feature and class weight.

    features: (batch, dim); weights: (dim, n_classes) -> (batch, n_classes).
    """
    f = features / ops.sqrt(ops.sum(ops.square(features), axis=1, keepdims=True) + _EPS)
    w = weights / ops.sqrt(ops.sum(ops.square(weights), axis=0, keepdims=True) + _EPS)
    return ops.clip(ops.matmul(f, w), -1.0 + _EPS, 1.0 - _EPS)


def add_margin(cos, onehot, m):
    """Replace the target's cos(theta_y) by cos(theta_y + m); others unchanged.

    cos(theta + m) is not monotonic once theta + m > pi, so past theta = pi - m
    the target uses cos(theta) - m*sin(m) instead (the fallback of Deng et
    al.'s reference code): it keeps decreasing in theta and stays finite.
    """
    sin = ops.sqrt(1.0 - ops.square(cos))
    cos_m = cos * math.cos(m) - sin * math.sin(m)  # cos(theta + m)
    target = ops.where(cos > math.cos(math.pi - m), cos_m, cos - m * math.sin(m))
    onehot = ops.cast(onehot, cos.dtype)
    return onehot * target + (1.0 - onehot) * cos


@keras.saving.register_keras_serializable(package="benchmark")
class ArcFace(keras.layers.Layer):
    """Additive angular margin classifier head (formula (1) of the paper).

    With labels it applies the margin m to the target class; without labels it
    scores s*cos(theta) for every class. The paper trains with categorical
    crossentropy, so the default output is the softmax of those scores;
    `output_mode="logits"` returns the scaled cosines themselves.

    Args:
        n_classes: int. Number of identities.
        s: float. Feature scale. Default 64 (Deng et al.).
        m: float. Additive angular margin in radians, 0 <= m < pi/2. Default 0.5.
        output_mode: "softmax" or "logits".

    Call arguments:
        inputs: `features` of shape (batch, dim), or `[features, onehot_labels]`
            with labels of shape (batch, n_classes) during training.

    Returns:
        (batch, n_classes) probabilities, or scaled cosines with "logits".

    >>> layer = ArcFace(3)
    >>> layer(np.ones((2, 4))).shape
    (2, 3)
    """

    def __init__(self, n_classes: int, s: float = DEFAULT_S, m: float = DEFAULT_M,
                 output_mode: str = "softmax", **kwargs):
        super().__init__(**kwargs)
        if not isinstance(n_classes, int) or n_classes < 2:
            raise ValueError("Expected n_classes to be an int >= 2. "
                             f"Received: n_classes={n_classes!r}")
        if not s > 0:
            raise ValueError(f"Expected a scale s > 0. Received: s={s!r}")
        if not 0 <= m < math.pi / 2:
            raise ValueError(f"Expected a margin 0 <= m < pi/2. Received: m={m!r}")
        if output_mode not in OUTPUTS:
            raise ValueError(f"Expected output_mode in {OUTPUTS}. "
                             f"Received: output_mode={output_mode!r}")
        self.n_classes, self.s, self.m = n_classes, float(s), float(m)
        self.output_mode = output_mode

    def build(self, input_shape):
        if isinstance(input_shape, (list, tuple)) and isinstance(input_shape[0], (list, tuple)):
            input_shape = input_shape[0]
        self.w = self.add_weight(name="class_centres", shape=(input_shape[-1], self.n_classes),
                                 initializer="glorot_uniform")

    def call(self, inputs):
        if isinstance(inputs, (list, tuple)):
            features, labels = inputs
        else:
            features, labels = inputs, None
        cos = cosine(features, self.w)  # (batch, n_classes)
        if labels is not None:
            cos = add_margin(cos, labels, self.m)
        logits = self.s * cos  # (batch, n_classes)
        return ops.softmax(logits, axis=-1) if self.output_mode == "softmax" else logits

    def compute_output_shape(self, input_shape):
        if isinstance(input_shape, (list, tuple)) and isinstance(input_shape[0], (list, tuple)):
            input_shape = input_shape[0]
        return (input_shape[0], self.n_classes)

    def get_config(self):
        return {**super().get_config(), "n_classes": self.n_classes, "s": self.s,
                "m": self.m, "output_mode": self.output_mode}
