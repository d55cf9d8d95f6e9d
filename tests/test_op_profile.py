"""The op-level profile: categories, per-step tallies and the trace reader."""

import json
import os
import subprocess
import sys

import pytest

from benchmark import op_profile

BN = "model/resnet50/conv2_block1_1_bn_1/moments/SquaredDifference"


@pytest.mark.parametrize("op_type,name,category", [
    ("_MklNativeConv2DBackpropFilterWithBias", "", "convolution"),
    ("_MklNativeFusedConv2D", "model/conv1_conv/convolution", "convolution"),
    ("Conv2DBackpropInput", "", "convolution"),
    ("_MklMatMul", "model/softmax/MatMul", "matmul"),
    ("FusedBatchNormGradV3", "", "fused batch norm"),
    ("SquaredDifference", BN, "batch norm (element-wise ops)"),
    ("Mul", "m/inception_v3/batch_normalization_3/batchnorm/mul", "batch norm (element-wise ops)"),
    ("Sqrt", "StatefulPartitionedCall/adam/Sqrt_16", "optimizer update"),
    ("AssignSubVariableOp", "StatefulPartitionedCall/adam/AssignSub", "variable reads and writes"),
    ("ReluGrad", "gradient_tape/model/conv1_relu/ReluGrad", op_profile.OTHER),
])
def test_ops_are_categorised_by_type_then_by_scope(op_type, name, category):
    assert op_profile.categorise(op_type, name) == category


def test_tally_gives_seconds_per_step_and_shares():
    events = [("_MklNativeFusedConv2D", "c", 3.0), ("Mul", BN, 0.5), ("Mul", "a/adam/mul", 0.5),
              ("_MklNativeFusedConv2D", "c", 3.0), ("ReluGrad", "r", 1.0)]
    summary = op_profile.tally(events, steps=2)
    assert summary["op_seconds_per_step"] == 4.0
    cats = summary["categories"]
    assert list(cats)[0] == "convolution"
    assert cats["convolution"] == {"seconds_per_step": 3.0, "share": 0.75}
    assert cats["batch norm (element-wise ops)"]["share"] == 0.0625
    assert cats["optimizer update"]["seconds_per_step"] == 0.25
    assert summary["ops"][1] == {"type": "Mul", "calls_per_step": 1.0,
                                 "seconds_per_step": 0.5, "share": 0.125}


def test_head_share_counts_every_op_of_the_head_layers():
    events = [("Mul", "m/model2-inceptionv3-arcface-masked_1/arcface_1/mul", 1.0),
              ("Mul", "gradient_tape/m_1/dropout_2_1/stateless_dropout/Mul", 1.0),
              ("_MklMatMul", "m/baseline_1/softmax_1/MatMul", 1.0),
              ("Neg", "compile_loss/categorical_crossentropy/Neg", 1.0),
              ("_MklNativeFusedConv2D", "m/model2-inceptionv3-arcface-masked_1/conv2d_1/c", 4.0)]
    summary = op_profile.tally(events, steps=1)
    assert summary["head"] == {"seconds_per_step": 3.0, "share": 0.375}


def test_tally_of_an_empty_trace_is_a_clear_error():
    with pytest.raises(ValueError, match="no timed ops"):
        op_profile.tally([], steps=1)


def test_summarise_reads_only_op_events_on_executor_threads():
    from tensorflow.tsl.profiler.protobuf import xplane_pb2

    space = xplane_pb2.XSpace()
    plane = space.planes.add(name="/host:CPU")
    plane.event_metadata[1].name = "m/conv1_conv/convolution"
    plane.event_metadata[1].display_name = "_MklNativeFusedConv2D"
    plane.event_metadata[2].name = "ExecutorState::Process"  # bookkeeping: no op type
    plane.event_metadata[3].name = BN
    plane.event_metadata[3].display_name = "SquaredDifference"
    compute = plane.lines.add(name="tf_Compute/1")
    compute.events.add(metadata_id=1, duration_ps=3 * 10**12)
    compute.events.add(metadata_id=2, duration_ps=9 * 10**12)
    compute.events.add(metadata_id=3, duration_ps=1 * 10**12)
    python = plane.lines.add(name="python")
    python.events.add(metadata_id=1, duration_ps=5 * 10**12)
    summary = op_profile.summarise(space.SerializeToString(), steps=1)
    assert summary["op_seconds_per_step"] == 4.0
    assert summary["categories"]["convolution"]["share"] == 0.75


@pytest.mark.slow
def test_profile_command_times_a_real_train_step():
    res = subprocess.run([sys.executable, "-m", "benchmark", "profile", "--scenario",
                          "model1-resnet50-arcface-masked", "--image-size", "32",
                          "--batch-size", "4", "--steps", "1", "--json"],
                         capture_output=True, text=True,
                         env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
    assert res.returncode == 0, res.stderr[-2000:]
    summary = json.loads(res.stdout)
    assert summary["categories"]["convolution"]["seconds_per_step"] > 0
    assert summary["categories"]["batch norm (element-wise ops)"]["seconds_per_step"] > 0
    assert abs(sum(c["share"] for c in summary["categories"].values()) - 1) < 1e-9
