"""save writes files as a user expects: modes, symbolic links, errors, interrupts, fsync."""

import os
import stat

import numpy as np
import pytest
from tiny import tiny

from pyod_efficientgan import EfficientGAN, persistence


@pytest.fixture(scope="module")
def fitted(small_data):
    return tiny().fit(small_data[0])


def _mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture
def umask():
    def set_umask(value):
        previous.append(os.umask(value))

    previous = []
    yield set_umask
    if previous:
        os.umask(previous[0])


@pytest.mark.parametrize("mask, expected", [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_a_new_file_follows_the_umask(fitted, tmp_path, umask, mask, expected):
    umask(mask)
    fitted.save(tmp_path / "d.egan")
    assert _mode(tmp_path / "d.egan") == expected


def test_saving_over_a_file_keeps_its_mode(fitted, tmp_path, umask):
    umask(0o077)
    path = tmp_path / "d.egan"
    path.write_bytes(b"old")
    os.chmod(path, 0o640)
    fitted.save(path)
    assert _mode(path) == 0o640
    EfficientGAN.load(path)


def test_saving_through_a_symbolic_link_writes_its_target(fitted, tmp_path, small_data):
    target = tmp_path / "models" / "d.egan"
    target.parent.mkdir()
    target.write_bytes(b"old")
    link = tmp_path / "current.egan"
    link.symlink_to(target)
    fitted.save(link)
    assert link.is_symlink() and os.readlink(link) == str(target)
    np.testing.assert_array_equal(
        EfficientGAN.load(target).decision_function(small_data[1]),
        fitted.decision_function(small_data[1]),
    )
    assert sorted(p.name for p in target.parent.iterdir()) == ["d.egan"]


def test_an_error_names_the_path_asked_for(fitted, tmp_path):
    path = tmp_path / "missing" / "d.egan"
    with pytest.raises(FileNotFoundError) as raised:
        fitted.save(path)
    assert raised.value.filename == str(path) and str(path) in str(raised.value)
    folder = tmp_path / "folder"
    folder.mkdir()
    with pytest.raises(IsADirectoryError, match=str(folder)):
        fitted.save(folder)
    assert list(folder.iterdir()) == [] and sorted(os.listdir(tmp_path)) == ["folder"]


def test_an_empty_path_is_refused(fitted, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path / ".")
    for path in ("", b""):
        with pytest.raises(ValueError, match="the path is empty"):
            fitted.save(path)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("where", ["fsync", "replace", "chmod"])
def test_an_interrupt_leaves_no_temporary_file_and_the_old_file(
    fitted, tmp_path, monkeypatch, where
):
    path = tmp_path / "d.egan"
    fitted.save(path)
    before = path.read_bytes()

    def interrupt(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(persistence.os, where, interrupt)
    with pytest.raises(KeyboardInterrupt):
        fitted.save(path)
    monkeypatch.undo()
    assert os.listdir(tmp_path) == ["d.egan"] and path.read_bytes() == before


def test_the_data_are_synced_before_the_rename(fitted, tmp_path, monkeypatch):
    calls = []
    fsync, replace = os.fsync, os.replace
    monkeypatch.setattr(persistence.os, "fsync", lambda fd: calls.append("fsync") or fsync(fd))
    monkeypatch.setattr(
        persistence.os, "replace", lambda *a: calls.append("replace") or replace(*a)
    )
    fitted.save(tmp_path / "d.egan")
    assert calls[:2] == ["fsync", "replace"]
