"""Print the third screen's table (docs/benchmark.md): mean ROC AUC of the 2 runs per dataset and variant."""
import os
import csv, collections, numpy as np, sys
d = os.path.dirname(os.path.abspath(__file__)) + '/'
base=collections.defaultdict(lambda: collections.defaultdict(list))
for r in csv.DictReader(open(d+'baseline-12290fc.csv')):
    if r['roc'] and r['detector']=='IForest': base['IForest'][r['dataset']].append(float(r['roc']))
cols=[('IForest',None),('default (latent 32, batch 50)','steps5k_norm2.csv'),('`latent_dim=8`','latent8.csv'),('`latent_dim=16`','latent16.csv'),
('`ema_decay=None`','ema_none.csv'),('`alpha=0.5`','alpha05.csv'),('feature matching','fm.csv'),('`learning_rate=3e-4`','lr3e-4.csv'),
('5000 steps on tiny sets','steps5k_maxepochs5000_tiny.csv'),('`batch_size=128`','batch128_partial.csv')]
data={}; secs={}
for name,f in cols:
    if f is None: data[name]=base['IForest']; continue
    dd=collections.defaultdict(list); t=0; n=0
    for r in csv.DictReader(open(d+f)):
        t+=float(r['time']); n+=1
        if r['roc']: dd[r['dataset']].append(float(r['roc']))
    data[name]=dd; secs[name]=(t,n)
sets=sorted(base['IForest'])
print('| dataset | '+' | '.join(n for n,_ in cols)+' |'); print('|---|'+'---:|'*len(cols))
for s in sets:
    print(f'| {s} | '+' | '.join(f'{np.mean(data[n][s]):.3f}' if data[n].get(s) else '' for n,_ in cols)+' |')
def m(n):
    dd=data[n]; return f'**{np.mean([np.mean(dd[s]) for s in sets]):.3f}**' if all(dd.get(s) for s in sets) else ''
print('| **mean** | '+' | '.join(m(n) for n,_ in cols)+' |')
print('| EfficientGAN seconds, all fits | '+' | '.join((f'{secs[n][0]:.0f}'+('' if secs[n][1]==34 else f' ({secs[n][1]} fits)')) if n in secs else '' for n,_ in cols)+' |')
