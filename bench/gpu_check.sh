#!/usr/bin/env bash
# The GPU check in one call (issue 16, Part 2), within 8 minutes: find the CUDA version,
# install the matching cupy wheel into the venv, run the CUDA-parametrised tests, the GPU
# benchmarks and `python -m nn.train --device cuda` for one epoch per recipe, and write it all
# to bench/results/gpu.md. Every step has its own timeout and the whole run a deadline, so a
# hung step costs its slice, not the lent GPU. Without a GPU it says so and exits 0, writing
# nothing.
#
#   make gpu-check                 (or: bash bench/gpu_check.sh)
#   GPU_CHECK_BUDGET=480           seconds for the whole run (default 470)
#   CUPY_WHEELHOUSE=dir            install cupy from local wheels (--no-index): a lent GPU
#                                  machine may reach no package index
#   FASHION_MNIST=dir              the dataset's four .gz files (default: Debian's folder)
#   PY=path/to/python              default: .venv/bin/python, else python3
#   GPU_CHECK_RESULTS=dir          where gpu.md and gpu_logs/ go (default bench/results)
set -u
cd "$(dirname "$0")/.."

PY=${PY:-.venv/bin/python}
[ -x "$PY" ] || PY=$(command -v python3)
BUDGET=${GPU_CHECK_BUDGET:-470}
START=$(date +%s)
RESULTS=${GPU_CHECK_RESULTS:-bench/results}
OUT=$RESULTS/gpu.md
LOGS=$RESULTS/gpu_logs
DATA=${FASHION_MNIST:-/usr/share/datasets/fashion-mnist}

say() { echo "gpu-check: $*"; }
left() { echo $((BUDGET - ($(date +%s) - START))); }

# ------------------------------------------------------------------ is there a GPU at all?
if ! command -v nvidia-smi >/dev/null 2>&1; then
    say "no NVIDIA GPU here (nvidia-smi not found): nothing to check. Run this on a GPU machine."
    exit 0
fi
if ! SMI=$(timeout 20 nvidia-smi 2>&1); then
    say "nvidia-smi failed, so no usable GPU here: nothing to check."
    echo "$SMI" | head -5
    exit 0
fi
CUDA=$(echo "$SMI" | sed -n 's/.*CUDA Version: *\([0-9][0-9]*\)\.\([0-9]*\).*/\1.\2/p' | head -1)
CARD=$(timeout 20 nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader \
    2>/dev/null | head -1)
if [ -z "$CUDA" ]; then
    say "could not read the CUDA version from nvidia-smi: nothing to check."
    exit 0
fi
MAJOR=${CUDA%%.*}
WHEEL="cupy-cuda${MAJOR}x"
mkdir -p "$LOGS"
say "GPU: $CARD; driver's CUDA $CUDA -> $WHEEL; budget ${BUDGET}s"

# step NAME SECONDS CMD...: run CMD with at most min(SECONDS, time left - 5); log to $LOGS/NAME.log
declare -a ROWS
step() {
    local name=$1 limit=$2 rest
    shift 2
    rest=$(($(left) - 5))
    [ "$rest" -lt "$limit" ] && limit=$rest
    if [ "$limit" -le 5 ]; then
        ROWS+=("| $name | skipped: out of time | - |")
        say "$name: skipped (out of time)"
        return 124
    fi
    local t0=$(date +%s) rc
    timeout --kill-after=5 "$limit" "$@" >"$LOGS/$name.log" 2>&1
    rc=$?
    local took=$(($(date +%s) - t0))
    local what="ok"
    [ $rc -eq 124 ] || [ $rc -eq 137 ] && what="TIMEOUT after ${limit}s"
    [ $rc -ne 0 ] && [ "$what" = "ok" ] && what="FAILED (rc $rc)"
    ROWS+=("| $name | $what | ${took}s |")
    say "$name: $what (${took}s), log $LOGS/$name.log"
    return $rc
}

# ------------------------------------------------------------------ cupy
if "$PY" -c "import cupy; cupy.cuda.runtime.getDeviceCount()" >/dev/null 2>&1; then
    ROWS+=("| install $WHEEL | already installed | 0s |")
elif [ -n "${CUPY_WHEELHOUSE:-}" ]; then
    step "install-$WHEEL" 150 "$PY" -m pip install --no-index --find-links "$CUPY_WHEELHOUSE" "$WHEEL"
else
    step "install-$WHEEL" 150 "$PY" -m pip install --disable-pip-version-check "$WHEEL"
fi
if ! "$PY" -c "import cupy; assert cupy.cuda.runtime.getDeviceCount() > 0" >"$LOGS/cupy.log" 2>&1; then
    say "cupy does not import or sees no GPU (no network for pip? set CUPY_WHEELHOUSE): see $LOGS"
    tail -3 "$LOGS/cupy.log"
    CUPY_OK=0
else
    CUPY_OK=1
fi

# ------------------------------------------------------------------ tests, benchmarks, training
if [ $CUPY_OK -eq 1 ]; then
    step tests-cuda 140 "$PY" -m pytest -q -p no:cacheprovider -x \
        tests/autograd/test_device_table.py tests/nn/test_device_modules.py \
        tests/autograd/test_devices.py tests/autograd/test_gpu_paths.py -k "cuda or gpu"
    step bench-gpu 110 "$PY" bench/gpu_bench.py --out "$LOGS/bench.md"
    TRAIN_OK=1
    ls "$DATA"/train-images-idx3-ubyte.gz >/dev/null 2>&1 || TRAIN_OK=0
    for recipe in $("$PY" -c "from nn.train.recipes import RECIPES; print(' '.join(RECIPES))"); do
        if [ $TRAIN_OK -eq 0 ]; then
            ROWS+=("| train-$recipe | skipped: no Fashion-MNIST in $DATA (set FASHION_MNIST) | - |")
            continue
        fi
        step "train-$recipe" 60 "$PY" -m nn.train --recipe "$recipe" --device cuda --epochs 1 \
            --data "$DATA" --out "$LOGS/train-$recipe" --no-progress --no-plots
    done
fi

# ------------------------------------------------------------------ the report
{
    echo "# GPU check: $CARD"
    echo
    echo "$(date -u '+%Y-%m-%d %H:%M UTC'); driver's CUDA $CUDA; wheel $WHEEL; $("$PY" -c \
        'import cupy; print("cupy", cupy.__version__)' 2>/dev/null || echo 'cupy missing'); \
total $(($(date +%s) - START))s of ${BUDGET}s."
    echo
    echo "| step | result | time |"
    echo "|---|---|---|"
    printf '%s\n' "${ROWS[@]}"
    if [ -f "$LOGS/tests-cuda.log" ]; then
        echo; echo "## tests"; echo; echo '```'; tail -15 "$LOGS/tests-cuda.log"; echo '```'
    fi
    [ -f "$LOGS/bench.md" ] && { echo; cat "$LOGS/bench.md"; }
    for m in "$LOGS"/train-*/metrics.json; do
        [ -f "$m" ] || continue
        echo; echo "## $(basename "$(dirname "$m")")"; echo; echo '```'
        "$PY" -c "import json,sys; m=json.load(open(sys.argv[1])); \
print(json.dumps({k: m.get(k) for k in ('settings', 'train_images', 'final')}, indent=1))" "$m"
        echo '```'
    done
} >"$OUT"
say "wrote $OUT"
