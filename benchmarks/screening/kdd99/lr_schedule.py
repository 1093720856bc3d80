"""Throwaway #4 screen: LR schedule, per-epoch test probes (50k test sample)."""
import argparse, json, math, sys, time
import numpy as np
import keras
from sklearn.preprocessing import MinMaxScaler
from pyod_efficientgan import detector as det_mod
from pyod_efficientgan.experiments import kdd99
from pyod_efficientgan.detector import EfficientGAN
from pyod_efficientgan.scoring import combine_scores

p = argparse.ArgumentParser()
p.add_argument("--seed", type=int, required=True)
p.add_argument("--epochs", type=int, default=4)
p.add_argument("--lr", type=float, default=1e-3)
p.add_argument("--schedule", default="cosine")  # cosine | constant | linear
p.add_argument("--final", type=float, default=0.0)
p.add_argument("--ema", type=float, default=0.999)
p.add_argument("--batch", type=int, default=50)
p.add_argument("--tag", default="")
a = p.parse_args()

X, y, _ = kdd99.load_kddcup99(path="/work/shared/data/kddcup99/kddcup.data_10_percent.gz")
Xtr, Xte, yte = kdd99.split_kddcup99(X, y)
Xtr = kdd99.transform_features(Xtr, "log1p"); Xte = kdd99.transform_features(Xte, "log1p")
rs = np.random.RandomState(0); idx = rs.permutation(len(Xte))[:50000]
scaler = MinMaxScaler().fit(Xtr)
xprobe = np.ascontiguousarray(scaler.transform(Xte[idx]), dtype=np.float32); yprobe = yte[idx]
steps = math.ceil(len(Xtr) / a.batch) * a.epochs
if a.schedule == "cosine":
    lr = keras.optimizers.schedules.CosineDecay(a.lr, steps, alpha=a.final)
elif a.schedule == "linear":
    lr = keras.optimizers.schedules.PolynomialDecay(a.lr, steps, end_learning_rate=a.lr * a.final)
else:
    lr = a.lr
EfficientGAN._parameter_constraints["learning_rate"] = "no_validation"
out = []
class Probe(det_mod.DivergenceGuard):
    def on_epoch_end(self, epoch, logs=None):
        super().on_epoch_end(epoch, logs)
        res = {"epoch": epoch + 1, "t": round(time.time() - t0)}
        for norm in (1, 2):
            lg, ld = self.model.score_components(xprobe, "cross-entropy", norm)
            s = np.asarray(combine_scores(lg, ld, 0.9))
            m = kdd99.evaluate(yprobe, s)
            res[f"f1_n{norm}"] = round(m["f1"], 4); res[f"roc_n{norm}"] = round(m["roc_auc"], 4)
        out.append(res); print(json.dumps(res), flush=True)
det_mod.DivergenceGuard = Probe
t0 = time.time()
d = EfficientGAN(epochs=a.epochs, batch_size=a.batch, learning_rate=lr, latent_dim=32, alpha=0.9, norm=2,
                 encoder_units=(128,), generator_units=(128, 256), discriminator_units=(256, 256),
                 preprocessing="minmax", validation_size=0.0, ema_decay=a.ema, random_state=a.seed)
d.fit(Xtr)
full = kdd99.evaluate(yte, d.decision_function(Xte))
print("FULL", json.dumps({"seed": a.seed, "tag": a.tag, **{k: round(v, 4) for k, v in full.items()}, "s": round(time.time() - t0)}), flush=True)
