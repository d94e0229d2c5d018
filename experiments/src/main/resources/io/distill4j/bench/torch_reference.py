#!/usr/bin/env python3
"""PyTorch reference of `distill4j bench training`: the same workloads, trained the way distill4j trains them.

Reads the workload spec (training-workloads.json, the same file the Java side reads) and the arrays the Java side
prepared (the quickstart's synthetic market: standardised features, labels, splits), so both sides train on the same
data. It mirrors DL4J's conventions: Xavier-normal weights (variance 2/(fan_in+fan_out)) and zero biases; a layer's
dropout applies to its input (inverted scaling); Adam (beta 0.9/0.999, eps 1e-8) at the spec's learning rate; L2 as
coupled weight decay on weights only (not biases); minibatches of the spec's batch size in a reshuffled order every
epoch, the last one partial; after every epoch a validation pass (inference mode, log-loss and accuracy); Hinton KD
as alpha*CE(y, s) + (1-alpha)*T^2*KL(softmax(t/T) || softmax(s/T)), batch mean.

Usage:
  torch_reference.py --describe SPEC                 sizes, parameters and budgets of every workload (no torch needed)
  torch_reference.py --spec SPEC --data DIR --workload NAME [--processes N]
                                                     trains one workload, prints one JSON line with its seconds
Run with one thread per process (the script sets it) and OpenBLAS: on Debian, `apt-get install python3-torch
libopenblas0-openmp` and LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-openmp.
"""
import argparse
import json
import math
import os
import resource
import sys
import time

WORKLOADS = ["grid", "student_kd", "teacher_mlp", "teacher_lstm", "teacher_attention"]


# ---- sizes (no torch) -----------------------------------------------------------------------------------------

def mlp_layers(net, features, classes):
    if net.get("activation", "relu") != "relu":
        raise SystemExit("torch_reference.py: only relu MLPs are mirrored, got " + str(net.get("activation")))
    return [features] + list(net["hidden"]) + [classes]


def parameters(net, features, classes):
    """Trainable parameters of a network as DL4J counts them (LSTM: one bias vector; attention: no biases)."""
    kind = net["type"]
    if kind == "mlp":
        sizes = mlp_layers(net, features, classes)
        return sum(a * b + b for a, b in zip(sizes, sizes[1:]))
    if kind == "lstm":
        total, n_in = 0, features
        for h in net["hidden"]:
            total += n_in * 4 * h + h * 4 * h + 4 * h
            n_in = h
        return total + n_in * classes + classes
    if kind == "attention":
        d = net["model_size"]
        heads = net["heads"]
        head = net.get("head_size", max(1, d // heads))
        total = features * d + d  # per-bar projection (kernel-1 convolution)
        total += 3 * d * heads * head + heads * head * d  # Wq, Wk, Wv, Wo
        sizes = [d] + list(net.get("hidden", [])) + [classes]
        return total + sum(a * b + b for a, b in zip(sizes, sizes[1:]))
    raise SystemExit("torch_reference.py: no mirror for network type " + kind)


def budget(net, defaults):
    t = dict(defaults)
    t.update(net.get("training", {}))
    return {k: t[k] for k in ("epochs", "batch_size", "learning_rate", "l2")}


def describe(spec):
    """One entry per workload: its networks (type, parameters, budget) and how many trainings it runs."""
    f, c = spec["features"], spec["classes"]
    teacher = {"network": spec["teacher"]["type"], "parameters": parameters(spec["teacher"], f, c),
               **budget(spec["teacher"], {})}
    student = {"network": spec["student"]["type"], "parameters": parameters(spec["student"], f, c),
               **budget({"training": spec["training"]}, {})}
    cells = len(spec["grid"]["temperature"]) * len(spec["grid"]["alpha"])
    seq = spec["sequence_teachers"]
    out = {
        "grid": {"networks": [teacher, student], "trainings": 1 + (cells + 1) * len(spec["seeds"])},
        "student_kd": {"networks": [student], "trainings": 1},
        "teacher_mlp": {"networks": [teacher], "trainings": 1},
    }
    for name in ("lstm", "attention"):
        net = seq[name]
        out["teacher_" + name] = {"networks": [{"network": net["type"], "parameters": parameters(net, f, c),
                                                **budget(net, {})}], "trainings": 1,
                                  "train_samples": seq["train_samples"], "validation_samples": seq["validation_samples"]}
    return out


# ---- training (torch) -----------------------------------------------------------------------------------------

def load(data_dir):
    import numpy as np
    with open(os.path.join(data_dir, "arrays.json")) as fh:
        index = json.load(fh)
    arrays = {}
    for name, meta in index.items():
        dtype = np.float32 if meta["dtype"] == "float32" else np.int32
        a = np.fromfile(os.path.join(data_dir, name + ".bin"), dtype=dtype).reshape(meta["shape"])
        arrays[name] = a
    return arrays


def build(torch, net, features, classes, seq_len):
    nn = torch.nn

    def xavier(linear):
        fan_in, fan_out = linear.weight.shape[1], linear.weight.shape[0]
        nn.init.normal_(linear.weight, 0.0, math.sqrt(2.0 / (fan_in + fan_out)))
        if linear.bias is not None:
            nn.init.zeros_(linear.bias)
        return linear

    kind = net["type"]
    if kind == "mlp":
        sizes = mlp_layers(net, features, classes)
        p = net.get("dropout", 0.0)
        layers = []
        for a, b in zip(sizes[:-2], sizes[1:-1]):
            if p > 0:
                layers.append(nn.Dropout(p))  # DL4J: a layer's dropout applies to its input
            layers += [xavier(nn.Linear(a, b)), nn.ReLU()]
        layers.append(xavier(nn.Linear(sizes[-2], sizes[-1])))
        return nn.Sequential(*layers)
    if kind == "lstm":
        return LstmNet(torch, net["hidden"], features, classes, xavier)
    if kind == "attention":
        return AttentionNet(torch, net, features, classes, seq_len, xavier)
    raise SystemExit("torch_reference.py: no mirror for network type " + kind)


def LstmNet(torch, hidden, features, classes, xavier):
    nn = torch.nn

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.lstms = nn.ModuleList()
            n_in = features
            for h in hidden:
                lstm = nn.LSTM(n_in, h, batch_first=True)
                for name, w in lstm.named_parameters():
                    if "weight" in name:
                        nn.init.normal_(w, 0.0, math.sqrt(2.0 / (w.shape[1] + w.shape[0])))
                    else:
                        nn.init.zeros_(w)
                lstm.bias_hh_l0.requires_grad_(False)  # DL4J's LSTM has one bias vector
                self.lstms.append(lstm)
                n_in = h
            self.out = xavier(nn.Linear(n_in, classes))

        def forward(self, x):  # x: [n, features, time] (DL4J's NCW)
            h = x.transpose(1, 2)
            for lstm in self.lstms:
                h, _ = lstm(h)
            return self.out(h[:, -1, :])

    return Net()


def AttentionNet(torch, net, features, classes, seq_len, xavier):
    nn = torch.nn
    d, heads = net["model_size"], net["heads"]
    if net.get("head_size", d // heads) * heads != d:
        raise SystemExit("torch_reference.py: attention mirror needs head_size * heads == model_size")

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.projection = xavier(nn.Linear(features, d))
            pos = torch.arange(seq_len, dtype=torch.float32).unsqueeze(1)
            k = torch.arange(d)
            w = torch.pow(10000.0, -2.0 * (k // 2).float() / d)
            phase = (k % 2).float() * (math.pi / 2)
            self.register_buffer("pe", torch.sin(pos * w + phase))
            # DL4J's SelfAttentionLayer with projectInput: per-head Wq, Wk, Wv and an output Wo, no biases
            self.q, self.k, self.v, self.o = (xavier(nn.Linear(d, d, bias=False)) for _ in range(4))
            sizes = [d] + list(net.get("hidden", []))
            layers = []
            for a, b in zip(sizes, sizes[1:]):
                layers += [xavier(nn.Linear(a, b)), nn.ReLU()]
            layers.append(xavier(nn.Linear(sizes[-1], classes)))
            self.head = nn.Sequential(*layers)

        def forward(self, x):  # x: [n, features, time]
            h = self.projection(x.transpose(1, 2)) + self.pe
            n, t = h.shape[0], h.shape[1]
            q, k, v = (m(h).view(n, t, heads, d // heads).transpose(1, 2) for m in (self.q, self.k, self.v))
            a = torch.softmax(q @ k.transpose(2, 3) / math.sqrt(d // heads), dim=-1) @ v
            h = self.o(a.transpose(1, 2).reshape(n, t, d))
            return self.head(h.mean(dim=1))

    return Net()


def train(torch, model, net_budget, x, y, xv, yv, seed, kd=None, kd_logits=None):
    """Trains in place; kd = (temperature, alpha) with kd_logits the teacher's logits of x. Returns samples seen."""
    F = torch.nn.functional
    torch.manual_seed(seed)
    decay = [p for n, p in model.named_parameters() if p.requires_grad and "weight" in n]
    rest = [p for n, p in model.named_parameters() if p.requires_grad and "weight" not in n]
    opt = torch.optim.Adam([{"params": decay, "weight_decay": net_budget["l2"]},
                            {"params": rest, "weight_decay": 0.0}], lr=net_budget["learning_rate"],
                           betas=(0.9, 0.999), eps=1e-8)
    n, batch = x.shape[0], net_budget["batch_size"]
    generator = torch.Generator().manual_seed(seed)
    seen = 0
    for _ in range(net_budget["epochs"]):
        model.train()
        order = torch.randperm(n, generator=generator)
        for start in range(0, n, batch):
            idx = order[start:start + batch]
            out = model(x[idx])
            if kd is None:
                loss = F.cross_entropy(out, y[idx])
            else:
                t, alpha = kd
                soft = F.softmax(kd_logits[idx] / t, dim=1)
                kl = F.kl_div(F.log_softmax(out / t, dim=1), soft, reduction="batchmean")
                loss = alpha * F.cross_entropy(out, y[idx]) + (1 - alpha) * t * t * kl
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            seen += idx.shape[0]
        model.eval()
        with torch.no_grad():  # the validation pass of every epoch
            v = model(xv)
            F.cross_entropy(v, yv).item()
            (v.argmax(1) == yv).float().mean().item()
    return seen


def logits(torch, model, x):
    model.eval()
    with torch.no_grad():
        return model(x)


def tensors(torch, arrays, prefix, suffix):
    x = torch.from_numpy(arrays[prefix + suffix])
    y = torch.from_numpy(arrays["y" + ("" if prefix == "x" else "seq") + suffix].astype("int64"))
    return x, y


def student_job(args):
    """One grid student (run in a worker process): trains, then its validation and test logits."""
    import torch
    torch.set_num_threads(1)
    spec, data, t_logits, kd, seed = args
    arrays = _ARRAYS
    x, y = tensors(torch, arrays, "x", "_train")
    xv, yv = tensors(torch, arrays, "x", "_val")
    xt, _ = tensors(torch, arrays, "x", "_test")
    torch.manual_seed(seed)
    model = build(torch, spec["student"], spec["features"], spec["classes"], 0)
    seen = train(torch, model, budget({"training": spec["training"]}, {}), x, y, xv, yv, seed, kd, t_logits)
    logits(torch, model, xv)
    logits(torch, model, xt)
    return seen


_ARRAYS = None


def run(spec, data_dir, workload, processes):
    import torch
    torch.set_num_threads(1)
    global _ARRAYS
    arrays = load(data_dir)
    _ARRAYS = arrays
    f, c = spec["features"], spec["classes"]
    seed = spec["seed"]
    started = time.perf_counter()
    seen = 0
    if workload in ("grid", "teacher_mlp"):
        x, y = tensors(torch, arrays, "x", "_train")
        xv, yv = tensors(torch, arrays, "x", "_val")
        torch.manual_seed(seed)
        teacher = build(torch, spec["teacher"], f, c, 0)
        seen += train(torch, teacher, budget(spec["teacher"], {}), x, y, xv, yv, seed)
        if workload == "grid":
            t_logits = logits(torch, teacher, x)  # the teacher's outputs, computed once, as distill4j caches them
            logits(torch, teacher, xv)
            logits(torch, teacher, tensors(torch, arrays, "x", "_test")[0])
            jobs = [(spec, data_dir, t_logits, None, s) for s in spec["seeds"]]
            jobs += [(spec, data_dir, t_logits, (t, a), s) for t in spec["grid"]["temperature"]
                     for a in spec["grid"]["alpha"] for s in spec["seeds"]]
            if processes > 1:
                import multiprocessing
                with multiprocessing.get_context("fork").Pool(processes) as pool:
                    seen += sum(pool.map(student_job, jobs, chunksize=1))
            else:
                seen += sum(student_job(j) for j in jobs)
    elif workload == "student_kd":
        x, y = tensors(torch, arrays, "x", "_train")
        xv, yv = tensors(torch, arrays, "x", "_val")
        kd = spec["student_kd"]
        torch.manual_seed(kd["seed"])
        student = build(torch, spec["student"], f, c, 0)
        seen += train(torch, student, budget({"training": spec["training"]}, {}), x, y, xv, yv, kd["seed"],
                      (kd["temperature"], kd["alpha"]), torch.from_numpy(arrays["kd_train"]))
    elif workload in ("teacher_lstm", "teacher_attention"):
        x, y = tensors(torch, arrays, "seq", "_train")
        xv, yv = tensors(torch, arrays, "seq", "_val")
        net = spec["sequence_teachers"][workload[len("teacher_"):]]
        torch.manual_seed(seed)
        model = build(torch, net, f, c, x.shape[2])
        seen += train(torch, model, budget(net, {}), x, y, xv, yv, seed)
    else:
        raise SystemExit("torch_reference.py: unknown workload " + workload + "; expected one of " + str(WORKLOADS))
    seconds = time.perf_counter() - started
    # VmHWM, not RUSAGE_SELF: Linux carries ru_maxrss across exec, so it would report the JVM that started us
    with open("/proc/self/status") as fh:
        rss = next((int(line.split()[1]) for line in fh if line.startswith("VmHWM")), 0)
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss if processes > 1 else 0
    print(json.dumps({"workload": workload, "seconds": seconds, "samples": seen, "max_rss_kb": max(rss, children),
                      "torch": torch.__version__, "threads": torch.get_num_threads()}))


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--describe", metavar="SPEC")
    p.add_argument("--spec")
    p.add_argument("--data")
    p.add_argument("--workload", choices=WORKLOADS)
    p.add_argument("--processes", type=int, default=1)
    a = p.parse_args()
    if a.describe:
        with open(a.describe) as fh:
            print(json.dumps(describe(json.load(fh)), sort_keys=True))
        return
    if not (a.spec and a.data and a.workload):
        p.error("--spec, --data and --workload are needed (or --describe SPEC)")
    with open(a.spec) as fh:
        run(json.load(fh), a.data, a.workload, a.processes)


if __name__ == "__main__":
    sys.exit(main())
