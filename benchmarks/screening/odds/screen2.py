"""Screen EfficientGAN variants through the harness protocol (real fit + decision_function)."""
import json, sys
from pyod_efficientgan.experiments import harness
from pyod_efficientgan.experiments.datasets import load_odds
variants = json.loads(sys.argv[1]); names = sys.argv[2].split(","); n_runs = int(sys.argv[3]); out = sys.argv[4]
for v, p in variants.items():
    harness.DETECTORS[v] = (lambda p: lambda c, s, **k: harness._efficientgan(c, s, **{**p, **k}))(p)
with open(out, "a") as fh:
    for name in names:
        ds = load_odds(name, "/work/shared/data/odds")
        for run in range(n_runs):
            for v in ["L1Norm", "IForest", *variants]:
                rec = harness.run_task(ds, run, v, 0)
                fh.write(json.dumps({k: (x if not hasattr(x, "item") else x.item()) for k, x in rec.items()}) + "\n"); fh.flush()
