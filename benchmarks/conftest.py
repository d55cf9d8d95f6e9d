"""Performance benchmarks (pytest-benchmark): not part of the default test run.

Run: pytest benchmarks/ --benchmark-only --benchmark-json=benchmarks/results.json
"""

import os
import tempfile

_scratch = tempfile.mkdtemp(prefix="benchmark-perf-")
os.environ.setdefault("KERAS_HOME", os.path.join(_scratch, "keras"))
os.environ.setdefault("MPLCONFIGDIR", os.path.join(_scratch, "mpl"))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
