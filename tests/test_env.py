"""course_utils.env: the quick-mode switch, seeding, the device and setup()."""

import pytest
import torch

from course_utils import env


@pytest.mark.parametrize("value,expected", [("1", True), ("true", True), ("0", False), ("", False)])
def test_quick_mode_values(monkeypatch, value, expected):
    monkeypatch.setenv("COURSE_QUICK", value)
    assert env.quick_mode() is expected
    assert env.pick("full", "quick") == ("quick" if expected else "full")


def test_quick_mode_rejects_unclear_values(monkeypatch):
    monkeypatch.setenv("COURSE_QUICK", "maybe")
    with pytest.raises(ValueError, match="COURSE_QUICK=1"):
        env.quick_mode()


def test_seed_everything_is_reproducible():
    env.seed_everything(3)
    a = torch.rand(4)
    env.seed_everything(3)
    assert torch.equal(a, torch.rand(4))


def test_setup_reports_versions_device_and_data(capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("COURSE_QUICK", "1")
    monkeypatch.setenv("COURSE_DATA", str(tmp_path))
    info = env.setup(seed=1)
    out = capsys.readouterr().out
    assert info.quick and info.data.source == "sample" and info.device == env.pick_device()
    for word in ("torch", "torchvision", "device: ", "source=sample", "quick mode"):
        assert word in out


def test_importing_course_utils_does_no_work(tmp_path):
    import subprocess
    import sys

    code = "import course_utils, course_utils.env, course_utils.data, course_utils.plots"
    env_vars = {"COURSE_DATA": str(tmp_path / "d"), "PATH": "/usr/bin:/bin", "MPLBACKEND": "Agg"}
    subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env_vars, check=True)
    assert not (tmp_path / "d").exists(), "importing must not prepare data"
