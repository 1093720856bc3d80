"""save/load without pickle: identical scores, refused bad files, pickle still works."""

import copy
import json
import pickle
import subprocess
import sys
import zipfile
from pathlib import Path

import joblib
import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_array_equal
from sklearn.exceptions import NotFittedError

from pyod_efficientgan import EfficientGAN
from pyod_efficientgan.persistence import (
    FORMAT_VERSION,
    DetectorFileError,
    load_detector,
    save_detector,
)

SMALL = dict(
    latent_dim=4,
    encoder_units=(16,),
    generator_units=(16,),
    discriminator_units=(16, 16),
    epochs=3,
    random_state=0,
)
REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def frames(small_data):
    X_train, X_test, _, _ = small_data
    columns = [f"f{i}" for i in range(X_train.shape[1])]
    return pd.DataFrame(X_train, columns=columns), pd.DataFrame(X_test, columns=columns)


@pytest.fixture(scope="module")
def detector(frames):
    return EfficientGAN(**SMALL).fit(frames[0])


@pytest.fixture(scope="module")
def saved(detector, tmp_path_factory):
    path = tmp_path_factory.mktemp("saved") / "detector.egan"
    detector.save(path)
    return path


@pytest.fixture(scope="module")
def loaded(saved):
    return EfficientGAN.load(saved)


def _rewrite(source, target, replace):
    """Copy the zip ``source`` to ``target``, replacing members by ``replace(name, data)``."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for name in old.namelist():
            new.writestr(name, replace(name, old.read(name)))


def test_file_is_a_zip_without_pickle(saved):
    with zipfile.ZipFile(saved) as archive:
        names = set(archive.namelist())
        assert names == {"manifest.json", "params.json", "attributes.json", "arrays.npz",
                         "weights.npz"}
        manifest = json.loads(archive.read("manifest.json"))
        for name in ("arrays.npz", "weights.npz"):
            with np.load(archive.open(name), allow_pickle=False) as npz:
                assert all(npz[key].dtype != object for key in npz.files)
    assert manifest["format_version"] == FORMAT_VERSION
    assert manifest["package_version"]
    assert len(manifest["sha256"]) == 64


def test_identical_scores_after_load(detector, loaded, frames):
    X_test = frames[1]
    assert isinstance(loaded, EfficientGAN)
    assert_array_equal(loaded.decision_function(X_test), detector.decision_function(X_test))
    assert_array_equal(loaded.predict(X_test), detector.predict(X_test))
    assert_array_equal(
        loaded.predict_proba(X_test, method="unify"), detector.predict_proba(X_test, method="unify")
    )
    for a, b in zip(loaded.score_components(X_test), detector.score_components(X_test)):
        assert_array_equal(a, b)


def test_fitted_attributes_and_params_survive(detector, loaded):
    assert loaded.get_params() == detector.get_params()
    assert_array_equal(loaded.decision_scores_, detector.decision_scores_)
    assert_array_equal(loaded.labels_, detector.labels_)
    assert_array_equal(loaded.feature_names_in_, detector.feature_names_in_)
    assert loaded.threshold_ == detector.threshold_
    assert (loaded._mu, loaded._sigma) == (detector._mu, detector._sigma)
    assert loaded.history_ == detector.history_
    assert (loaded.epochs_, loaded.best_epoch_, loaded.n_features_in_) == (
        detector.epochs_, detector.best_epoch_, detector.n_features_in_)
    assert type(loaded.scaler_) is type(detector.scaler_)
    for name in ("scale_", "min_", "mean_", "var_"):
        if hasattr(detector.scaler_, name):
            assert_array_equal(getattr(loaded.scaler_, name), getattr(detector.scaler_, name))


def test_identical_scores_in_a_fresh_process(detector, saved, frames, tmp_path):
    X_test = frames[1]
    np.save(tmp_path / "x.npy", X_test.to_numpy())
    code = (
        "import sys, numpy as np, pandas as pd\n"
        "from pyod_efficientgan import EfficientGAN\n"
        "d = EfficientGAN.load(sys.argv[1])\n"
        "x = pd.DataFrame(np.load(sys.argv[2]), columns=list(d.feature_names_in_))\n"
        "np.save(sys.argv[3], d.decision_function(x))\n"
    )
    env = {**__import__("os").environ, "PYTHONPATH": str(REPO)}
    subprocess.run(
        [sys.executable, "-c", code, str(saved), str(tmp_path / "x.npy"),
         str(tmp_path / "scores.npy")],
        check=True, env=env, timeout=600,
    )
    assert_array_equal(np.load(tmp_path / "scores.npy"), detector.decision_function(X_test))


def test_tampered_member_is_refused(saved, tmp_path):
    def flip(name, data):
        if name != "weights.npz":
            return data
        data = bytearray(data)
        data[len(data) // 2] ^= 0xFF
        return bytes(data)

    target = tmp_path / "tampered.egan"
    _rewrite(saved, target, flip)
    with pytest.raises(DetectorFileError, match="integrity check failed.*weights.npz"):
        load_detector(target)


def test_tampered_parameters_are_refused(saved, tmp_path):
    def edit(name, data):
        if name != "params.json":
            return data
        params = json.loads(data)
        params["alpha"] = 0.1
        return json.dumps(params).encode()

    target = tmp_path / "params.egan"
    _rewrite(saved, target, edit)
    with pytest.raises(DetectorFileError, match="integrity check failed.*params.json"):
        EfficientGAN.load(target)


def test_corrupted_bytes_are_refused(saved, tmp_path):
    data = bytearray(saved.read_bytes())
    data[len(data) // 2] ^= 0xFF
    target = tmp_path / "corrupted.egan"
    target.write_bytes(bytes(data))
    with pytest.raises(DetectorFileError):
        load_detector(target)


@pytest.mark.parametrize("keep", [0.5, 0.95])
def test_truncated_file_is_refused(saved, tmp_path, keep):
    data = saved.read_bytes()
    target = tmp_path / "truncated.egan"
    target.write_bytes(data[: int(len(data) * keep)])
    with pytest.raises(DetectorFileError, match="truncated"):
        load_detector(target)


def test_other_format_version_is_refused(saved, tmp_path):
    def bump(name, data):
        if name != "manifest.json":
            return data
        manifest = json.loads(data)
        manifest["format_version"] = FORMAT_VERSION + 1
        return json.dumps(manifest).encode()

    target = tmp_path / "future.egan"
    _rewrite(saved, target, bump)
    with pytest.raises(DetectorFileError, match=f"format version {FORMAT_VERSION + 1}"):
        load_detector(target)


def _rewrite_with_digests(source, target, params_edit):
    """Edit params.json and recompute the manifest digests, as a deliberate forger would."""
    from pyod_efficientgan.persistence import _overall_digest, _sha256

    with zipfile.ZipFile(source) as old:
        contents = {name: old.read(name) for name in old.namelist()}
    params = json.loads(contents["params.json"])
    params_edit(params)
    contents["params.json"] = json.dumps(params).encode()
    manifest = json.loads(contents["manifest.json"])
    manifest["members"]["params.json"] = _sha256(contents["params.json"])
    manifest["sha256"] = _overall_digest(manifest["members"])
    contents["manifest.json"] = json.dumps(manifest).encode()
    with zipfile.ZipFile(target, "w") as new:
        for name, data in contents.items():
            new.writestr(name, data)


@pytest.mark.parametrize(
    "edit, error, match",
    [
        (lambda p: p.update(latent_dim=-1), ValueError, "latent_dim"),
        (lambda p: p.update(__class__="os.system"), DetectorFileError, "unknown parameters"),
        (lambda p: p.update(latent_dim=5), DetectorFileError, "weights do not fit"),
    ],
    ids=["invalid-value", "unknown-name", "wrong-shape"],
)
def test_consistent_but_invalid_contents_are_refused(saved, tmp_path, edit, error, match):
    target = tmp_path / "forged.egan"
    _rewrite_with_digests(saved, target, edit)
    with pytest.raises(error, match=match):
        load_detector(target)


def test_not_a_detector_file_is_refused(tmp_path):
    target = tmp_path / "other.zip"
    with zipfile.ZipFile(target, "w") as archive:
        archive.writestr("hello.txt", "hi")
    with pytest.raises(DetectorFileError, match="not an EfficientGAN file"):
        load_detector(target)


def test_unfitted_detector_cannot_be_saved(tmp_path):
    with pytest.raises(NotFittedError, match="not fitted yet"):
        EfficientGAN().save(tmp_path / "unfitted.egan")
    assert not (tmp_path / "unfitted.egan").exists()


def test_thresholder_contamination_cannot_be_saved(detector, tmp_path):
    from pythresh.thresholds.iqr import IQR

    with_thresholder = copy.copy(detector)
    with_thresholder.contamination = IQR()
    with pytest.raises(TypeError, match="'contamination'.*cannot be saved"):
        save_detector(with_thresholder, tmp_path / "iqr.egan")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("dumps, loads", [(pickle.dumps, pickle.loads),
                                          ("joblib", "joblib")])
def test_pickle_and_joblib_round_trips_still_work(loaded, frames, tmp_path, dumps, loads):
    if dumps == "joblib":
        joblib.dump(loaded, tmp_path / "d.joblib")
        restored = joblib.load(tmp_path / "d.joblib")
    else:
        restored = loads(dumps(loaded))
    assert_array_equal(restored.decision_function(frames[1]), loaded.decision_function(frames[1]))
