#!/bin/bash
# Phase 2, after the choice. MCD (slow on wide sets: minutes on musk and mnist) was split off
# the peers and runs after the fast peers; on the held-out sets without InternetAds (1555
# features, more than its training rows). Then, time permitting, 1500 on the held-out sets and
# a third budget (600) on the screen sets.
set -e
source docs/benchmark/screening/steps/env.sh
S=docs/benchmark/screening/steps
python $S/screen_steps.py peers screen $S/runs/screen_peers.csv --detectors IForest ECOD KNN
python $S/screen_steps.py efficientgan held-out $S/runs/heldout_steps5000.csv --min-steps 5000
python $S/screen_steps.py peers held-out $S/runs/heldout_peers.csv --detectors IForest ECOD KNN
python $S/screen_steps.py peers screen $S/runs/screen_peers.csv --detectors MCD
python $S/screen_steps.py peers held-out $S/runs/heldout_peers.csv --detectors MCD --exclude 17_InternetAds
python $S/screen_steps.py efficientgan held-out $S/runs/heldout_steps1500.csv --min-steps 1500
python $S/screen_steps.py efficientgan screen $S/runs/screen_steps600.csv --min-steps 600
