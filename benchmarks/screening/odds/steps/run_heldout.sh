#!/bin/bash
# Phase 2, after the choice (as run; the 5000-step held-out run was started first, alone).
# MCD (slow on wide sets: minutes per fit on musk and mnist) is split off the peers, runs after
# the fast ones and is time-boxed; on the held-out sets it skips InternetAds (1555 features,
# more than its training rows). Then, time permitting, 1500 on the held-out sets, the rest of
# MCD on the screen sets and a third budget (600) on the screen sets.
source benchmarks/screening/odds/steps/env.sh
S=benchmarks/screening/odds/steps
python $S/screen_steps.py efficientgan held-out $S/runs/heldout_steps5000.csv --min-steps 5000
python $S/screen_steps.py peers held-out $S/runs/heldout_peers.csv --detectors IForest ECOD KNN
timeout 300 python $S/screen_steps.py peers held-out $S/runs/heldout_peers.csv --detectors MCD --exclude 17_InternetAds
python $S/screen_steps.py efficientgan held-out $S/runs/heldout_steps1500.csv --min-steps 1500
timeout 360 python $S/screen_steps.py peers screen $S/runs/screen_peers.csv --detectors MCD
python $S/screen_steps.py efficientgan screen $S/runs/screen_steps600.csv --min-steps 600
