#!/usr/bin/env python3
"""Prototype of SyntheticMarket designs: how far a 12-256-128-64-3 MLP and a 12-16-8-3 MLP get on each.

A copy of the generator (java.util.SplittableRandom re-implemented, so a seed gives the Java series up to the last
floating-point bits), the 12 features of FeatureEngineer, the quickstart's labels (horizon 6, auto threshold), split
(0.6/0.2/0.2, purge gap 6) and training budgets (teacher: Adam 1e-3, l2 1e-4, dropout 0.1, 40 epochs, patience 5;
student: Adam 5e-3, 15 epochs), in PyTorch with DL4J's Xavier initialisation. DESIGN is the signal s_k in noise
units, a Python expression of z20, z10, z5, z3, z1 (the m-bar moves at bar k over sigma sqrt(m)), a, b, c (the
moves over bars k-5..k, k-10..k-5, k-20..k-10), R (+1 calm, -1 choppy, 0 turbulent), p and reg; "current" is the
previous market's. Prints the optimum (argmax of the true probabilities) and both MLPs' test accuracy.
Run: OMP_NUM_THREADS=1 /usr/bin/python3 experiments/scripts/market-design.py DESIGN [generator seeds...]
e.g. "R*sin(1.6*z20)+0.8*tanh(3*z5)*tanh(3*z10)*tanh(3*z20)" 7 8 9 (the chosen design).
"""
import math
import sys

import numpy as np
import torch

SIGMA = np.array([0.0016, 0.0030, 0.0050])
STAY = [0.995, 0.995, 0.99]
NEXT = [0.4, 0.4, 0.2]
LEAD = 6
LINEAR = False


def z(logc, k, m, sigma):
    return (logc[k] - logc[k - m]) / (sigma * math.sqrt(m)) if k >= m else 0.0


def sig_current(k, reg, logc, p):
    s = SIGMA[reg]
    return [1.0, -1.0, 0.0][reg] * math.sin(1.6 * z(logc, k, 20, s)) + 0.5 * math.tanh(z(logc, k, 10, s)) * math.tanh(p / 0.5)


DESIGNS = {"current": sig_current}


def design(name):
    def f(k, reg, logc, p):
        s = SIGMA[reg]
        z20, z10, z5, z3, z1 = (z(logc, k, m, s) for m in (20, 10, 5, 3, 1))
        R = [1.0, -1.0, 0.0][reg]
        a = z5
        b = (logc[k - 5] - logc[k - 10]) / (s * math.sqrt(5)) if k >= 10 else 0.0
        c = (logc[k - 10] - logc[k - 20]) / (s * math.sqrt(10)) if k >= 20 else 0.0
        return eval(name, {"math": math, "np": np}, dict(a=a, b=b, c=c, z20=z20, z10=z10, z5=z5, z3=z3, z1=z1, R=R, p=p, reg=reg,
                                                          sin=math.sin, cos=math.cos, tanh=math.tanh))
    return f


M64 = (1 << 64) - 1


class SplittableRandom:
    """java.util.SplittableRandom(seed): SplitMix64, so that the series are the Java generator's own."""

    def __init__(self, seed):
        self.seed = seed & M64

    def next_double(self):
        self.seed = (self.seed + 0x9E3779B97F4A7C15) & M64
        z = self.seed
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
        z ^= z >> 31
        return (z >> 11) * 2.0 ** -53

    def gaussian(self):
        u1 = 1.0 - self.next_double()
        u2 = self.next_double()
        return math.sqrt(-2 * math.log(u1)) * math.cos(2 * math.pi * u2)


def next_regime(current, u):
    total = sum(w for k, w in enumerate(NEXT) if k != current)
    acc = 0.0
    for k, w in enumerate(NEXT):
        if k == current:
            continue
        acc += w / total
        if u < acc:
            return k
    return 1 if current == 2 else 2


def generate(n, seed, signal):
    rng = SplittableRandom(seed)
    regime = np.zeros(n, dtype=int)
    regime[0] = int(rng.next_double() * 3)
    for i in range(1, n):
        r = regime[i - 1]
        regime[i] = next_regime(r, rng.next_double()) if rng.next_double() >= STAY[r] else r
    logc = np.zeros(n)
    drift = np.zeros(n)
    noise = SIGMA[regime]
    hi = np.zeros(n)
    lo = np.zeros(n)
    vol = np.zeros(n)
    lp = math.log(100.0)
    p = 0.0
    for i in range(n):
        sigma = noise[i]
        r = drift[i] + sigma * rng.gaussian()
        o = lp
        lp += r
        logc[i] = lp
        if i + LEAD < n:
            drift[i + LEAD] = SIGMA[regime[i + LEAD]] * signal(i, regime[i], logc, p)
        hi[i] = max(o, lp) + abs(rng.gaussian()) * 0.5 * sigma
        lo[i] = min(o, lp) - abs(rng.gaussian()) * 0.5 * sigma
        vol[i] = 1000 * [0.8, 1.2, 2.0][regime[i]] * math.exp(p) * (0.5 + abs(r) / 0.004) * math.exp(
            0.2 * rng.gaussian())
        p = 0.9 * p + 0.22 * rng.gaussian()
    return np.exp(logc), np.exp(hi), np.exp(lo), vol, drift, noise


def features(c, h, l, v):
    n = len(c)
    lc = np.log(c)
    F = np.full((n, 12), np.nan)
    r1 = np.diff(lc, prepend=np.nan)
    d = np.diff(c, prepend=np.nan)
    ag = al = 0.0
    tp = (h + l + c) / 3
    for i in range(1, n):
        g, lo_ = max(d[i], 0), max(-d[i], 0)
        if i <= 14:
            ag += g / 14
            al += lo_ / 14
        else:
            ag = (13 * ag + g) / 14
            al = (13 * al + lo_) / 14
        if i < 20:
            continue
        f = F[i]
        for j, k in enumerate((1, 3, 5, 10, 20)):
            f[j] = lc[i] - lc[i - k]
        f[5] = np.std(r1[i - 9:i + 1], ddof=1)
        f[6] = np.std(r1[i - 19:i + 1], ddof=1)
        w = v[i - 19:i + 1]
        f[7] = c[i] / (np.sum(tp[i - 19:i + 1] * w) / np.sum(w)) - 1
        f[8] = (h[i] - l[i]) / c[i]
        f[9] = c[i] / np.mean(c[i - 19:i + 1]) - 1
        rsi = 100.0 if al == 0 else 100 - 100 / (1 + ag / al)
        f[10] = rsi / 50 - 1
        m = np.mean(w)
        e = 0.01 * m + 1e-12
        f[11] = math.log((v[i] + e) / (m + e))
    return F


def prepare(n, seed, signal, h=6, lookback=16):
    c, hi, lo, v, drift, noise = generate(n, seed, signal)
    F = features(c, hi, lo, v)
    back = lookback + 20 - 1
    bars = np.arange(back, n - h)
    fwd = np.log(c[bars + h] / c[bars])
    nb = len(bars)
    ntr, nva = int(nb * 0.6), int(nb * 0.2)
    tr = np.arange(0, ntr - h)
    va = np.arange(ntr, ntr + nva - h)
    te = np.arange(ntr + nva, nb)
    a = np.sort(np.abs(fwd[tr]))
    k = round(len(a) / 3)
    t = (a[k - 1] + a[k]) / 2
    y = np.where(fwd > t, 2, np.where(fwd < -t, 0, 1))
    X = F[bars]
    mu, sd = X[tr].mean(0), X[tr].std(0)
    X = (X - mu) / sd
    # true probabilities
    from math import erf
    M = np.array([drift[b + 1:b + h + 1].sum() for b in bars])
    S = np.array([math.sqrt((noise[b + 1:b + h + 1] ** 2).sum()) for b in bars])
    Phi = lambda x: 0.5 * (1 + np.vectorize(erf)(x / math.sqrt(2)))
    ps = Phi((-t - M) / S)
    pb = 1 - Phi((t - M) / S)
    P = np.stack([ps, 1 - ps - pb, pb], 1)
    opt = (P[te].argmax(1) == y[te]).mean()
    return X, y, tr, va, te, opt


def train(X, y, tr, va, te, hidden, lr, epochs, patience, dropout, l2, seed):
    torch.manual_seed(seed)
    layers = []
    n_in = X.shape[1]
    for w in hidden:
        layers += [torch.nn.Linear(n_in, w), torch.nn.ReLU()]
        if dropout:
            layers.append(torch.nn.Dropout(dropout))
        n_in = w
    layers.append(torch.nn.Linear(n_in, 3))
    net = torch.nn.Sequential(*layers)
    for m in net:
        if isinstance(m, torch.nn.Linear):  # DL4J's XAVIER: normal, sd sqrt(2 / (fan in + fan out)); zero biases
            torch.nn.init.xavier_normal_(m.weight)
            torch.nn.init.zeros_(m.bias)
    opt = torch.optim.Adam(net.parameters(), lr=lr, weight_decay=l2)
    Xt = torch.tensor(X, dtype=torch.float32)
    yt = torch.tensor(y)
    best, best_state, bad = 1e9, None, 0
    g = torch.Generator().manual_seed(seed)
    for ep in range(epochs):
        net.train()
        perm = tr[torch.randperm(len(tr), generator=g).numpy()]
        for b in range(0, len(perm), 256):
            idx = perm[b:b + 256]
            loss = torch.nn.functional.cross_entropy(net(Xt[idx]), yt[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
        net.eval()
        with torch.no_grad():
            vl = torch.nn.functional.cross_entropy(net(Xt[va]), yt[va]).item()
        if patience:
            if vl < best:
                best, bad = vl, 0
                best_state = {k: x.clone() for k, x in net.state_dict().items()}
            else:
                bad += 1
                if bad >= patience:
                    break
    if best_state is not None:
        net.load_state_dict(best_state)
    net.eval()
    with torch.no_grad():
        return (net(Xt[te]).argmax(1).numpy() == y[te]).mean()


def run(name, seeds, n=30000, tseeds=(1,)):
    signal = DESIGNS.get(name) or design(name)
    out = []
    for s in seeds:
        X, y, tr, va, te, opt = prepare(n, s, signal)
        for ts in tseeds:
            big = train(X, y, tr, va, te, [256, 128, 64], 1e-3, 40, 5, 0.1, 1e-4, ts)
            small = train(X, y, tr, va, te, [16, 8], 5e-3, 15, 0, 0.0, 0.0, ts)
            if LINEAR:  # a linear softmax model with the teacher's budget
                print(f"linear {train(X, y, tr, va, te, [], 1e-3, 40, 5, 0.0, 1e-4, ts):.3f}")
            out.append(big - small)
            print(f"{name} | gen seed {s} train seed {ts}: optimum {opt:.3f} big {big:.3f} small {small:.3f} "
                  f"gap {100 * (big - small):+.1f} pts", flush=True)
    print(f"{name} | mean gap {100 * np.mean(out):+.2f} pts")


if __name__ == "__main__":
    run(sys.argv[1], [int(a) for a in sys.argv[2:]] or [7])
