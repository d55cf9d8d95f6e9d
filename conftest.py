"""Root pytest setup: keep Keras and matplotlib out of the home folder.

`import keras` writes under ~/.keras and matplotlib under its config dir;
tests point both at a temporary folder before anything imports them.
"""

import os
import tempfile

_scratch = tempfile.mkdtemp(prefix="benchmark-tests-")
os.environ.setdefault("KERAS_HOME", os.path.join(_scratch, "keras"))
os.environ.setdefault("MPLCONFIGDIR", os.path.join(_scratch, "mpl"))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("MPLBACKEND", "Agg")
