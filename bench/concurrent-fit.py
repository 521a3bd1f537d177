#!/usr/bin/env python3
"""Share-corrected ratios of a `bench/run.sh --concurrent` pair run (docs/performance.md, "Pairs under load at once").

Two proxies sharing a core do not get equal halves, and the one with the larger share handles more requests per
wake-up, so its per-CPU-second figure rises with its share. For each scenario and client this fits, over the rounds,
log(efficiency B/A) = a + b * log(share B/A) and prints exp(a): the ratio at equal shares, with a's standard error.
With the cpu cgroups run.sh now gives each proxy (equal weights), the shares are equal to within a few per cent and the
median of the within-round ratios (also printed, with its range) is the figure; the fit is for runs without them.
usage: bench/concurrent-fit.py bench/results/<stamp>.json ...
"""
import json, math, sys, collections
for f in sys.argv[1:]:
    rows = json.load(open(f))
    d = collections.defaultdict(dict)
    for r in rows:
        if r.get('perProxyCpuSecond') is None or r.get('proxyCores') is None: continue
        d[(r['scenario'], r.get('client','mtls-load'), r['round'])][r['target']] = (r['proxyCores'], r['perProxyCpuSecond'])
    groups = collections.defaultdict(list)
    for (s, c, rnd), t in d.items():
        if len(t) != 2: continue
        (a, (sa, ea)), (b, (sb, eb)) = sorted(t.items())
        groups[(s, c, f"{b}/{a}")].append((math.log(sb / sa), math.log(eb / ea)))
    for k, pts in sorted(groups.items()):
        n = len(pts); mx = sum(p[0] for p in pts) / n; my = sum(p[1] for p in pts) / n
        sxx = sum((p[0] - mx) ** 2 for p in pts); sxy = sum((p[0] - mx) * (p[1] - my) for p in pts)
        slope = sxy / sxx if sxx > 0 else 0; icpt = my - slope * mx
        res = [p[1] - (icpt + slope * p[0]) for p in pts]
        se = math.sqrt(sum(r * r for r in res) / (n - 2) * (1 / n + mx * mx / sxx)) if sxx > 0 and n > 2 else float('nan')
        ratios = sorted(math.exp(p[1]) for p in pts); shares = [math.exp(p[0]) for p in pts]
        median = ratios[n // 2] if n % 2 else (ratios[n // 2 - 1] + ratios[n // 2]) / 2
        print(f"{f.split('/')[-1][:16]} {k[0]:18} {k[1]:12} {k[2]:40} n={n} median={median:.3f} [{ratios[0]:.3f}–{ratios[-1]:.3f}]"
              f" shares {min(shares):.2f}–{max(shares):.2f} equal-share fit={math.exp(icpt):.3f} ±{se*100:.1f}% slope={slope:.2f}")
