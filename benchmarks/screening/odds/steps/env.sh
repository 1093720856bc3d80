# Environment of the step-budget screen (source it from the repository root of /work/wt23).
export PATH=/work/main/.venv/bin:$PATH
export PYTHONPATH=/work/wt23
export KERAS_BACKEND=tensorflow
export TF_CPP_MIN_LOG_LEVEL=2
export PYOD_EFFICIENTGAN_ODDS_DIR=/work/shared/data/odds
export PYOD_EFFICIENTGAN_ADBENCH_DIR=/work/shared/data/adbench_dev
