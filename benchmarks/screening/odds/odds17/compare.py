"""Mean ROC per dataset: the baseline run (all detectors) next to EfficientGAN variants.

Usage: python compare.py baseline-12290fc.csv norm2.csv steps5k.csv steps5k_norm2.csv steps10k.csv steps10k_norm2.csv
"""
import csv, json, sys, glob, collections, numpy as np
base = collections.defaultdict(dict)
for r in csv.DictReader(open(sys.argv[1])):
    if r['roc']: base[r['detector']][(r['dataset'], int(r['run']))] = float(r['roc'])
variants = {}
for d in sys.argv[2:]:
    f = [d] if d.endswith('.csv') else (glob.glob(d + '/records.csv') or glob.glob(d + '/records.partial.jsonl'))
    recs = {}
    if f[0].endswith('.csv'):
        for r in csv.DictReader(open(f[0])):
            if r['roc']: recs[(r['dataset'], int(r['run']))] = float(r['roc'])
    else:
        for line in open(f[0]):
            r = json.loads(line)
            if r.get('roc') is not None: recs[(r['dataset'], int(r['run']))] = float(r['roc'])
    variants[d.rstrip('/').split('/')[-1].removesuffix('.csv')] = recs
cols = ['EfficientGAN', 'IForest', 'AutoEncoder', 'L1Norm']
datasets = sorted({k[0] for k in base['EfficientGAN']})
print('dataset'.ljust(12), *[c[:8].rjust(8) for c in cols], *[v[:8].rjust(8) for v in variants])
means = collections.defaultdict(list)
for ds in datasets:
    row = []
    for name, recs in [(c, base[c]) for c in cols] + list(variants.items()):
        vals = [v for (d, r), v in recs.items() if d == ds]
        row.append(np.mean(vals) if vals else np.nan)
    print(ds.ljust(12), *[f'{x:8.3f}' for x in row])
    if not any(np.isnan(row)):
        for name, x in zip(cols + list(variants), row): means[name].append(x)
print('mean(common)'.ljust(12), *[f'{np.mean(means[n]):8.3f}' for n in cols + list(variants)], len(means['IForest']))
