"""Analytic FLOP counts, so measured rates can be put against the machine's."""

from __future__ import annotations

import keras


def conv2d_flops(batch: int, out_h: int, out_w: int, k_h: int, k_w: int, c_in: int,
                 c_out: int) -> int:
    """Multiply-adds of a dense 2-D convolution, counted as 2 FLOPs each."""
    return 2 * batch * out_h * out_w * k_h * k_w * c_in * c_out


def forward_flops(model: keras.Model, dense: bool = True) -> int:
    """Conv2D (and Dense) FLOPs of one image's forward pass (the bulk of the work)."""
    total = 0
    for layer in _layers(model):
        if isinstance(layer, keras.layers.Conv2D):
            _, h, w, c_out = layer.output.shape
            k_h, k_w = layer.kernel_size
            total += conv2d_flops(1, h, w, k_h, k_w, layer.input.shape[-1], c_out)
        elif dense and isinstance(layer, keras.layers.Dense):
            total += 2 * layer.input.shape[-1] * layer.units
    return total


def train_flops(model: keras.Model, dense: bool = True) -> int:
    """Forward + backward is about three forward passes (input and weight gradients)."""
    return 3 * forward_flops(model, dense)


def _layers(model):
    for layer in model.layers:
        if isinstance(layer, keras.Model):
            yield from _layers(layer)
        else:
            yield layer
