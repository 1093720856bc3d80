"""Print the epochs and steps per member that each budget gives each set (no training).

``schedule.resolve_epochs`` with the defaults (batch_size 50, n_estimators 3) on the 60 %
training part; shows where the budget binds and where ``AUTO_MIN_EPOCHS`` (large sets) or
``AUTO_MAX_EPOCHS`` (tiny sets) decides instead.

Usage: ``python epochs.py [BUDGET ...]`` (default 5000 1500 600).
"""

import math
import sys

from screen_steps import HELD_OUT, exact_twins, load_group


def main(argv):
    from pyod_efficientgan import training as schedule  # the epoch schedule (schedule.py before)

    budgets = [int(b) for b in argv] or [5000, 1500, 600]
    datasets = sorted(load_group("all"), key=lambda d: d.n_samples * d.n_features)
    twins = exact_twins(datasets)
    print("group    dataset                n_train  " + "  ".join(f"{b:>5}: epochs steps/member" for b in budgets))
    for d in datasets:
        if d.name in twins:
            continue
        n_train = d.n_samples - math.ceil(0.4 * d.n_samples)
        per_epoch = math.ceil(n_train / 50)
        cells = []
        for b in budgets:
            schedule.AUTO_MIN_STEPS = b
            e = schedule.resolve_epochs("auto", n_train, 50, 3)
            cells.append(f"{e:>13} {e * per_epoch:>12}")
        group = "held-out" if d.name in HELD_OUT else "screen"
        print(f"{group:8} {d.name:22} {n_train:7}  " + "  ".join(cells))


if __name__ == "__main__":
    main(sys.argv[1:])
