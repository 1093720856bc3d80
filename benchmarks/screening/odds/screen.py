"""Screening: one fit per (dataset, run, training config); score at step checkpoints."""
import json, sys, time, zlib
import numpy as np, scipy.io as sio, keras
from keras import ops
from sklearn.model_selection import train_test_split
from sklearn.metrics import roc_auc_score
from sklearn.preprocessing import MinMaxScaler
from pyod.utils.utility import standardizer
from pyod.models.iforest import IForest
import pyod_efficientgan.detector as det
from pyod_efficientgan import EfficientGAN

CHECK = [0, 50, 200, 500, 1000, 2000]

class Probe(keras.callbacks.Callback):
    def __init__(self, xte, yte, out):
        super().__init__(); self.xte, self.yte, self.out = xte, yte, out; self.next = 0
    def _eval(self, steps):
        m = self.model; xt = ops.convert_to_tensor(self.xte)
        lg1, ce = m.score_components(xt, "cross-entropy", 1)
        lg2, fm1 = m.score_components(xt, "feature-matching", 1)
        lg2 = np.asarray(m.score_components(xt, "cross-entropy", 2)[0])
        lg1, ce, fm1 = (np.asarray(a, dtype=np.float64) for a in (lg1, ce, fm1))
        r = lambda s: float(roc_auc_score(self.yte, s)) if np.all(np.isfinite(s)) else float("nan")
        self.out[steps] = dict(LG1=r(lg1), LG2=r(lg2), CE=r(ce), FM1=r(fm1),
            a9CE=r(.9*lg1+.1*ce), a9FM=r(.9*lg1+.1*fm1), a5CE=r(.5*lg1+.5*ce), a5FM=r(.5*lg1+.5*fm1))
    def on_train_begin(self, logs=None):
        self._eval(0); self.next = 1
    def on_epoch_end(self, epoch, logs=None):
        steps = int(ops.convert_to_numpy(self.model.ema_steps))
        while self.next < len(CHECK) and steps >= CHECK[self.next]:
            self._eval(CHECK[self.next]); self.next += 1
        if self.next >= len(CHECK): self.model.stop_training = True

def main(cfg_json, datasets, n_runs, out_path):
    cfgs = json.loads(cfg_json)
    with open(out_path, "a") as fh:
        for name in datasets:
            d = sio.loadmat(f"/work/shared/data/odds/{name}.mat"); X = d["X"].astype(float); y = d["y"].ravel().astype(int)
            for run in range(n_runs):
                split_seed = int(np.random.SeedSequence(0, spawn_key=(run,)).generate_state(1)[0])
                Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.4, random_state=split_seed)
                Xtr, Xte = standardizer(Xtr, Xte)
                base = {"L1": float(roc_auc_score(yte, np.abs(Xte).sum(1)))}
                t = time.time(); base["IF"] = float(roc_auc_score(yte, IForest(random_state=run).fit(Xtr).decision_function(Xte))); 
                fh.write(json.dumps(dict(dataset=name, run=run, cfg="base", res=base)) + "\n"); fh.flush()
                for cname, cfg in cfgs.items():
                    seed = int(np.random.SeedSequence(0, spawn_key=(run, zlib.crc32(b"EfficientGAN"))).generate_state(1)[0])
                    pre = cfg.get("preprocessing", "minmax")
                    xte = Xte
                    if pre == "minmax": xte = MinMaxScaler().fit(Xtr).transform(Xte)
                    xte = np.ascontiguousarray(xte, dtype=np.float32)
                    res = {}
                    probe = Probe(xte, yte, res)
                    bs = cfg.get("batch_size", 50)
                    steps_per_epoch = int(np.ceil(len(Xtr) / min(bs, len(Xtr))))
                    epochs = int(np.ceil(CHECK[-1] / steps_per_epoch))
                    orig_fit = keras.Model.fit
                    def fit(self, *a, callbacks=None, **k):
                        return orig_fit(self, *a, callbacks=list(callbacks) + [probe], **k)
                    keras.Model.fit = fit
                    t = time.time()
                    try:
                        EfficientGAN(contamination=max(ytr.mean(), 0.01), epochs=epochs, validation_size=0, random_state=seed, **cfg).fit(Xtr)
                        err = None
                    except Exception as e:
                        err = repr(e)
                    finally:
                        keras.Model.fit = orig_fit
                    fh.write(json.dumps(dict(dataset=name, run=run, cfg=cname, res={str(k): v for k, v in res.items()}, time=time.time()-t, err=err)) + "\n"); fh.flush()

if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2].split(","), int(sys.argv[3]), sys.argv[4])
