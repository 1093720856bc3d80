"""#4 screen: does the held-out flag share track test F1? (the `select` config, with labelled probes)

Usage: python selection_trace.py SEED EPOCHS EVERY_N_STEPS OUT.json

Same data, split, held-out rows, scaling, networks and seed as `kdd99 --config select`; a
callback probes every EVERY_N_STEPS steps (and at each epoch end): the share of held-out
training rows at or above the 80th percentile of a fixed 50,000-row test sample ("crit"; drawn
with RandomState(0), where the config draws its sample with seed 42), next
to that sample's F1 and ROC AUC, which need the labels and are for this check only. At the end
the full test half is scored with the final and with the lowest-crit weights.
"""
import sys, time, json, numpy as np, keras
from sklearn.preprocessing import MinMaxScaler
from sklearn.model_selection import train_test_split
from pyod_efficientgan import EfficientGAN
from pyod_efficientgan.experiments import kdd99
from pyod_efficientgan.training import BiGAN, ScoreFunction

seed = int(sys.argv[1]); epochs = int(sys.argv[2]); every = int(sys.argv[3]); out = sys.argv[4]
X, y, _ = kdd99.load_kddcup99(path="/work/shared/data/kddcup99/kddcup.data_10_percent.gz")
X_train, X_test, y_test = kdd99.split_kddcup99(X, y)
X_train = kdd99.transform_features(X_train, "log1p"); X_test = kdd99.transform_features(X_test, "log1p")
X_fit, X_held = train_test_split(X_train, test_size=0.1, random_state=seed)
scaler = MinMaxScaler().fit(X_fit)
f32 = lambda a: np.ascontiguousarray(scaler.transform(a), dtype=np.float32)
X_fit, X_held, X_test_s = f32(X_fit), f32(X_held), f32(X_test)
rng = np.random.RandomState(0); samp = rng.choice(len(X_test_s), 50000, replace=False)
Xs, ys = X_test_s[samp], y_test[samp]
n_attack_frac = 1 - y_test.mean()

def scores(sf, x):
    return np.concatenate([sf(x[i:i + 16384])[0] for i in range(0, len(x), 16384)])

class Probe(keras.callbacks.Callback):
    def __init__(self):
        super().__init__(); self.last = 0; self.log = []; self.best = None; self.best_crit = np.inf
    def on_train_begin(self, logs=None):
        self.sf = ScoreFunction(self.model, "cross-entropy", 2, 0.9)
    def probe(self):
        t = int(self.model.ema_steps.numpy())
        st = scores(self.sf, Xs); sh = scores(self.sf, X_held)
        thr = np.percentile(st, 80); crit = float(np.mean(sh >= thr))
        m = kdd99.evaluate(ys, st)
        # label-free estimate: flagged attacks = crit * n_attacks; precision = 1 - that / flagged
        est_prec = 1 - crit * n_attack_frac / 0.2
        rec = dict(step=t, crit=crit, est_precision=est_prec, f1=m["f1"], roc=m["roc_auc"])
        self.log.append(rec); print(json.dumps(rec), flush=True)
        if crit < self.best_crit:
            self.best_crit = crit
            self.best = [w.numpy().copy() for w in self.model.ema_encoder.weights + self.model.ema_generator.weights + self.model.ema_discriminator.weights]
            self.best_step = t
    def on_train_batch_end(self, batch, logs=None):
        t = int(self.model.ema_steps.numpy())
        if t - self.last >= every:
            self.last = t; self.probe()
    def on_epoch_end(self, epoch, logs=None):
        self.probe()

probe = Probe()
orig_fit = BiGAN.fit
def fit(self, *a, callbacks=None, **k):
    return orig_fit(self, *a, callbacks=list(callbacks or []) + [probe], **k)
BiGAN.fit = fit
params = dict(epochs=epochs, batch_size=50, learning_rate=1e-3, latent_dim=32, alpha=0.9, norm=2,
              encoder_units=(128,), generator_units=(128, 256), discriminator_units=(256, 256),
              preprocessing=None, validation_size=0.0)
t0 = time.time()
det = EfficientGAN(**params, random_state=seed).fit(X_fit)
fit_s = time.time() - t0
final = kdd99.evaluate(y_test, det.decision_function(X_test_s))
m = det.model_
for w, v in zip(m.ema_encoder.weights + m.ema_generator.weights + m.ema_discriminator.weights, probe.best):
    w.assign(v)
sel = kdd99.evaluate(y_test, det.decision_function(X_test_s))
res = dict(seed=seed, final=final, selected=sel, best_step=probe.best_step, best_crit=probe.best_crit, fit_s=fit_s, total_s=time.time() - t0, probes=probe.log)
print(json.dumps(dict(seed=seed, final_f1=final["f1"], selected_f1=sel["f1"], selected_roc=sel["roc_auc"], best_step=probe.best_step, fit_s=fit_s)), flush=True)
json.dump(res, open(out, "w"))
