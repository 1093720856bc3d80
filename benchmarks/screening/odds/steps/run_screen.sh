#!/bin/bash
# Phase 1 of the step-budget screen: the 33 screen sets, 3 repetitions, one process after another.
# Run from the repository root: bash benchmarks/screening/odds/steps/run_screen.sh
set -e
source benchmarks/screening/odds/steps/env.sh
S=benchmarks/screening/odds/steps
python $S/screen_steps.py efficientgan screen $S/runs/screen_steps5000.csv --min-steps 5000
python $S/screen_steps.py efficientgan screen $S/runs/screen_steps1500.csv --min-steps 1500
python $S/screen_steps.py peers screen $S/runs/screen_peers.csv
