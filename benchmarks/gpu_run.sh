#!/usr/bin/env bash
# Run the benchmark on a CUDA machine whose Python has torch but not the Jupyter packages
# (the GPU machine lent to some work sessions): issue 8's "every notebook on a CUDA card".
#
#   bash benchmarks/gpu_run.sh WHEELS FMNIST OUT [bench.py options, e.g. --nb 07]
#
# WHEELS  a folder of wheels for that machine's Python (nbclient, ipykernel, ipywidgets, nbval
#         and their dependencies), made on a networked machine with, for Python 3.12:
#           python -m pip download --only-binary=:all: --python-version 3.12 \
#               --platform manylinux2014_x86_64 -d WHEELS nbclient ipykernel ipywidgets nbval
#         (drop widgetsnbextension from it to save space); "-" when the packages are installed.
# FMNIST  a folder holding the four Fashion-MNIST .gz files (the course's data/ is too big to send
#         decompressed).
# OUT     where RESULTS_GPU.md, its chart, its results (RESULTS_GPU.json) and the log go.
#
# It times the throughput part, then every notebook in quick mode, then in full mode, and names
# the card. Copy the section it writes into benchmarks/RESULTS.md or GPU.md (or render it again
# from its results: python benchmarks/bench.py --from-json OUT/RESULTS_GPU.json --out ... --append).
set -euo pipefail
if [ $# -lt 3 ]; then
    echo "usage: bash benchmarks/gpu_run.sh WHEELS FMNIST OUT  (see the comment at the top)" >&2
    exit 2
fi
wheels=$1 fmnist=$2 out=$3
shift 3
mkdir -p "$out"
export PYTHONPATH="$PWD" PYTHONUNBUFFERED=1 MPLBACKEND=Agg
if [ "$wheels" != "-" ]; then
    site=$(mktemp -d)
    python3 -m pip install -q --no-index --no-deps --no-compile --target "$site" "$wheels"/*.whl
    export PYTHONPATH="$site:$PWD"
fi
COURSE_DATA=$(mktemp -d)
export COURSE_DATA
unset COURSE_QUICK
nvidia-smi -L 2>&1 | tee "$out/gpu_log.txt" || true
python3 -c "from course_utils import data; print(data.prepare(quick=False, system_dir='$fmnist'))" \
    2>&1 | tee -a "$out/gpu_log.txt"
card=$(python3 -c "import torch; print(torch.cuda.get_device_name(0) if torch.cuda.is_available() else 'no CUDA')")
python3 benchmarks/bench.py --only throughput --only notebooks --notebooks both \
    --out "$out/RESULTS_GPU.md" --note "GPU run on one $card" "$@" \
    2>&1 | tee -a "$out/gpu_log.txt"
