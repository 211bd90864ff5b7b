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


@pytest.fixture
def restore_determinism():
    """Put PyTorch's global determinism settings and CUBLAS_WORKSPACE_CONFIG back after the test."""
    saved = (
        torch.are_deterministic_algorithms_enabled(),
        torch.is_deterministic_algorithms_warn_only_enabled(),
        torch.backends.cudnn.benchmark,
        torch.backends.cudnn.deterministic,
    )
    cublas = env.os.environ.pop("CUBLAS_WORKSPACE_CONFIG", None)
    yield
    env.os.environ.pop("CUBLAS_WORKSPACE_CONFIG", None)
    if cublas is not None:
        env.os.environ["CUBLAS_WORKSPACE_CONFIG"] = cublas
    torch.use_deterministic_algorithms(saved[0], warn_only=saved[1])
    torch.backends.cudnn.benchmark, torch.backends.cudnn.deterministic = saved[2], saved[3]


def test_a_cuda_device_gets_deterministic_algorithms(restore_determinism, monkeypatch):
    torch.use_deterministic_algorithms(False)
    torch.backends.cudnn.benchmark, torch.backends.cudnn.deterministic = True, False
    monkeypatch.setattr(torch.cuda, "is_initialized", lambda: False)  # no GPU needed: only flags are set
    assert env.use_deterministic_gpu(torch.device("cuda")) is True
    assert torch.are_deterministic_algorithms_enabled() and torch.is_deterministic_algorithms_warn_only_enabled()
    assert torch.backends.cudnn.deterministic and not torch.backends.cudnn.benchmark
    assert env.os.environ["CUBLAS_WORKSPACE_CONFIG"] == ":4096:8"  # what cuBLAS needs for repeatable products


def test_a_user_cublas_setting_is_kept_and_late_cuda_is_reported(restore_determinism, monkeypatch):
    monkeypatch.setenv("CUBLAS_WORKSPACE_CONFIG", ":16:8")  # the other deterministic setting
    env.use_deterministic_gpu(torch.device("cuda"))
    assert env.os.environ["CUBLAS_WORKSPACE_CONFIG"] == ":16:8"
    monkeypatch.delenv("CUBLAS_WORKSPACE_CONFIG")
    monkeypatch.setattr(torch.cuda, "is_initialized", lambda: True)
    with pytest.warns(UserWarning, match="restart the kernel"):
        env.use_deterministic_gpu(torch.device("cuda:0"))


@pytest.mark.parametrize("device", ["cpu", "mps", "meta"])
def test_other_devices_keep_pytorch_settings(restore_determinism, device):
    torch.use_deterministic_algorithms(False)
    assert env.use_deterministic_gpu(torch.device(device)) is False
    assert not torch.are_deterministic_algorithms_enabled()
    assert "CUBLAS_WORKSPACE_CONFIG" not in env.os.environ


def test_setup_on_a_gpu_says_so_and_can_leave_the_defaults(restore_determinism, capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("COURSE_QUICK", "1")
    monkeypatch.setenv("COURSE_DATA", str(tmp_path))
    monkeypatch.setattr(env, "pick_device", lambda: torch.device("cuda"))
    monkeypatch.setattr(torch.cuda, "is_initialized", lambda: False)
    torch.use_deterministic_algorithms(False)
    info = env.setup(seed=1, deterministic=False)
    assert not info.deterministic_gpu and not torch.are_deterministic_algorithms_enabled()
    assert "deterministic" not in capsys.readouterr().out
    info = env.setup(seed=1)
    assert info.deterministic_gpu and torch.are_deterministic_algorithms_enabled()
    assert "device: cuda (deterministic algorithms) |" in capsys.readouterr().out


def test_setup_leaves_the_cpu_as_pytorch_has_it(restore_determinism, monkeypatch, tmp_path):
    monkeypatch.setenv("COURSE_QUICK", "1")
    monkeypatch.setenv("COURSE_DATA", str(tmp_path))
    monkeypatch.setattr(env, "pick_device", lambda: torch.device("cpu"))
    torch.use_deterministic_algorithms(False)
    info = env.setup(seed=1, verbose=False)
    assert not info.deterministic_gpu and not torch.are_deterministic_algorithms_enabled()


def test_setup_never_downloads_and_falls_back_on_the_sample(monkeypatch, tmp_path):
    """00 says so: full mode with no local files and no system package uses the sample, offline."""
    from course_utils.data import sources

    def no_download(root):
        raise AssertionError("setup() must never download")

    monkeypatch.setenv("COURSE_QUICK", "0")
    monkeypatch.setenv("COURSE_DATA", str(tmp_path))
    monkeypatch.setattr(sources, "SYSTEM_DIR", tmp_path / "no-system-package")
    monkeypatch.setattr(sources, "_download", no_download)
    info = env.setup(seed=0, verbose=False)
    assert not info.quick and info.data.source == "sample" and not info.data.is_full
