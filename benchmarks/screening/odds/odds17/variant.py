"""Screen one EfficientGAN variant on the 17 ODDS sets through the CLI (n_jobs 1, 2 runs).

Usage: python variant.py AUTO_MIN_STEPS OUT [PARAM=VALUE ...], e.g. ``variant.py 5000 out norm=2``.
The environment variable DATASETS (space-separated names) runs a subset instead of all 17, so
that two processes can share one variant; MAX_EPOCHS sets ``AUTO_MAX_EPOCHS`` (the cap that
keeps tiny sets below the step budget).
"""
import os, sys
from pyod_efficientgan import cli, schedule  # the epoch schedule's constants live in schedule
steps = int(sys.argv[1]); out = sys.argv[2]; params = sys.argv[3:]
schedule.AUTO_MIN_STEPS = steps
schedule.AUTO_MAX_EPOCHS = int(os.environ.get("MAX_EPOCHS", schedule.AUTO_MAX_EPOCHS))
argv = ["bench", "--datasets", *os.environ.get("DATASETS", "all").split(), "--data-dir", "/work/shared/data/odds", "--detectors", "EfficientGAN",
        "--n-runs", "2", "--seed", "0", "--n-jobs", "1", "--no-progress", "--out", out]
for p in params:
    argv += ["--efficientgan-param", p]
sys.exit(cli.main(argv))
