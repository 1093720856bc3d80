"""Write the format-2 files of this folder with an earlier version of the package.

They were written at commit c3fb615 (before ``_to_state``; the BiGAN's step
counter was int64 then), on TensorFlow::

    git archive c3fb615 | tar -x -C /tmp/old
    KERAS_BACKEND=tensorflow PYTHONPATH=/tmp/old python tests/data/format2/make_format2.py

``tests/test_persistence.py::test_format_2_files_of_the_previous_version_load`` loads
them with the current version, on any backend.
"""

from pathlib import Path

import numpy as np
import pandas as pd
from pyod.utils.data import generate_data

from pyod_efficientgan import EfficientGAN

HERE = Path(__file__).resolve().parent
X_train, X_test, _, _ = generate_data(
    n_train=120, n_test=20, n_features=5, contamination=0.1, random_state=3
)
columns = [f"f{i}" for i in range(5)]
single = EfficientGAN(
    latent_dim=2,
    encoder_units=(8,),
    generator_units=(8,),
    discriminator_units=(8, 8),
    epochs=2,
    n_estimators=1,
    preprocessing="minmax",
    random_state=0,
).fit(pd.DataFrame(X_train, columns=columns))
single.save(HERE / "single.egan")
ensemble = EfficientGAN(
    encoder_units=(8,), generator_units=(8,), discriminator_units=(8, 8), epochs=2, random_state=0
).fit(X_train)
ensemble.save(HERE / "ensemble.egan")
np.save(HERE / "x.npy", X_test)
np.save(HERE / "single_scores.npy", single.decision_function(pd.DataFrame(X_test, columns=columns)))
np.save(HERE / "ensemble_scores.npy", ensemble.decision_function(X_test))
