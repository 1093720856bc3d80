"""What save and pickling write, load and unpickling read back: one check for writer and reader."""

import copy
import pickle

import joblib
import numpy as np
import pytest
from tiny import tiny

from pyod_efficientgan import EfficientGAN, restore


@pytest.fixture(scope="module")
def fitted(small_data):
    return tiny(epochs=2, n_estimators=2).fit(small_data[0])


@pytest.mark.parametrize(
    "name, value",
    [
        ("alpha", 2.0),
        ("batch_size", 0),
        ("verbose", 5),
        ("learning_rate", -1.0),
        ("patience", 0),
        ("score_method", "x"),
        ("norm", 3),
        ("score_batch_size", -5),
        ("validation_size", 0.7),
        ("contamination", 0.9),
        ("epochs", 0),
    ],
)
def test_invalid_parameter_after_fit_is_refused_by_every_writer(fitted, tmp_path, name, value):
    detector = copy.deepcopy(fitted)
    detector.set_params(**{name: value})
    message = f"Cannot save or pickle.*The '{name}' parameter of EfficientGAN"
    with pytest.raises(ValueError, match=message):
        detector.save(tmp_path / "d.egan")
    assert not (tmp_path / "d.egan").exists()
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(ValueError, match=message):
        pickle.dumps(detector)
    with pytest.raises(ValueError, match=message):
        joblib.dump(detector, tmp_path / "d.joblib")
    # once the value is valid again, everything written is read back
    detector.set_params(**{name: fitted.get_params()[name]})
    detector.save(tmp_path / "d.egan")
    EfficientGAN.load(tmp_path / "d.egan")
    pickle.loads(pickle.dumps(detector))


def test_structure_parameter_after_fit_still_pickles_and_acts_at_the_next_fit(fitted):
    detector = copy.deepcopy(fitted)
    detector.set_params(n_estimators=0)  # invalid, but it acts at the next fit only
    copied = pickle.loads(pickle.dumps(detector))
    assert copied.n_estimators == 0
    with pytest.raises(ValueError, match="n_estimators"):
        copied.fit(np.zeros((10, 6)))


def _pickled_state(detector):
    return pickle.loads(pickle.dumps(detector.__getstate__()))


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda s: s["attributes"].update(threshold_=float("nan")), "threshold_"),
        (lambda s: s["attributes"].update(labels_=np.full(300, 7)), "labels_ must be 0 or 1"),
        (lambda s: s["attributes"].update(_sigma=-1.0), "_sigma"),
        (lambda s: s["params"].update(alpha=2.0), "'alpha' parameter"),
        (lambda s: s.update(params_for_next_fit={"decision_function": print}), "params_for"),
        (lambda s: s.update(params_for_next_fit={"__class__": dict}), "params_for_next_fit"),
        (lambda s: s.update(params_for_next_fit=[("alpha", 1.0)]), "params_for_next_fit"),
    ],
)
def test_unpickling_runs_the_checks_load_runs(fitted, change, message):
    pickled = _pickled_state(fitted)
    change(pickled)
    detector = EfficientGAN.__new__(EfficientGAN)
    with pytest.raises(ValueError, match=message):
        detector.__setstate__(pickled)
    assert "decision_function" not in vars(detector)


def test_a_file_with_the_same_forgery_is_refused_alike(fitted, tmp_path):
    # the reader of files and the reader of pickles share the check
    forged = restore.detector_state(fitted)
    forged["attributes"]["labels_"] = np.full(300, 7)
    with pytest.raises(ValueError, match="labels_ must be 0 or 1"):
        restore.from_state(EfficientGAN, forged)
    with pytest.raises(ValueError, match="labels_ must be 0 or 1"):
        restore.check_fitted_state(forged)


def test_valid_pending_structure_parameters_round_trip(fitted, small_data):
    detector = copy.deepcopy(fitted)
    detector.set_params(latent_dim=3)
    copied = pickle.loads(pickle.dumps(detector))
    assert copied.latent_dim == 3
    np.testing.assert_array_equal(
        copied.decision_function(small_data[1]), fitted.decision_function(small_data[1])
    )
