#!/usr/bin/python3
"""The PyTorch side of tests/bench/compare_pytorch.sh (a benchmark tool, not part of the product).

Builds the model NormScope builds for one experiment, from torch.nn modules
(nn.TransformerEncoderLayer with batch_first and norm_first), loads the very weights
`normscope probe` wrote (load_state_dict(strict=True): every name and shape must match, which
proves the two models are the same), checks that the loss on `normscope probe`'s batch agrees,
then times training steps (forward, backward, Adam) exactly as normscope-bench does: the same
batch every step, median of --steps steps after --warmup.

usage: pytorch_bench.py PROBE_DIR/RUN --layers L --d-model D --heads H --d-ff F --placement post|pre
                        --threads N [--steps 20] [--warmup 3]
Prints one line of JSON.
"""
import argparse
import ctypes
import json
import math
import struct
import sys
import time

import torch
import torch.nn as nn


def read_safetensors(path):
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    data = raw[8 + n:]
    out = {}
    dtypes = {"F32": torch.float32, "F64": torch.float64, "I64": torch.int64}
    for name, t in header.items():
        if name == "__metadata__":
            continue
        a, b = t["data_offsets"]
        tensor = torch.frombuffer(bytearray(data[a:b]), dtype=dtypes[t["dtype"]]).reshape(t["shape"])
        out[name] = tensor.clone()
    return out


class Model(nn.Module):
    def __init__(self, V, D, H, F, L, max_len, pre):
        super().__init__()
        self.embedding = nn.Embedding(V, D)
        self.pos_embedding = nn.Embedding(max_len, D)
        self.layers = nn.ModuleList(
            nn.TransformerEncoderLayer(D, H, F, dropout=0.0, activation="relu", batch_first=True,
                                       norm_first=pre, layer_norm_eps=1e-5)
            for _ in range(L))
        self.final_norm = nn.LayerNorm(D, eps=1e-5) if pre else None
        self.head = nn.Linear(D, V)

    def forward(self, ids):
        T = ids.shape[1]
        h = self.embedding(ids) + self.pos_embedding.weight[:T]
        for layer in self.layers:
            h = layer(h)
        if self.final_norm is not None:
            h = self.final_norm(h)
        return self.head(h)


def openblas_core():
    """The OpenBLAS kernel set this process runs (OPENBLAS_CORETYPE, when set, forces one)."""
    try:
        lib = ctypes.CDLL("libopenblas.so.0")
        lib.openblas_get_corename.restype = ctypes.c_char_p
        return lib.openblas_get_corename().decode()
    except (OSError, AttributeError):
        return "unknown"


def main():
    p = argparse.ArgumentParser()
    p.add_argument("run_dir")
    p.add_argument("--layers", type=int, required=True)
    p.add_argument("--d-model", type=int, required=True)
    p.add_argument("--heads", type=int, required=True)
    p.add_argument("--d-ff", type=int, required=True)
    p.add_argument("--placement", choices=["post", "pre"], required=True)
    p.add_argument("--threads", type=int, required=True)
    p.add_argument("--steps", type=int, default=20)
    p.add_argument("--warmup", type=int, default=3)
    a = p.parse_args()

    torch.set_num_threads(a.threads)
    weights = read_safetensors(a.run_dir + "/weights.safetensors")
    batch = read_safetensors(a.run_dir + "/batch.safetensors")
    V, D = weights["embedding.weight"].shape
    max_len = weights["pos_embedding.weight"].shape[0]
    model = Model(V, D, a.heads, a.d_ff, a.layers, max_len, a.placement == "pre")
    model.load_state_dict(weights, strict=True)  # same names, same shapes: the same model
    ids, targets = batch["input_ids"], batch["targets"]
    loss_fn = nn.CrossEntropyLoss(ignore_index=-100)

    with torch.no_grad():
        logits = model(ids)
        loss0 = loss_fn(logits.reshape(-1, V), targets.reshape(-1)).item()
    normscope_loss = float(batch["loss"].reshape(-1)[0])

    opt = torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.9, 0.98), eps=1e-8)
    times = []
    for s in range(a.warmup + a.steps):
        t0 = time.perf_counter()
        opt.zero_grad(set_to_none=False)
        logits = model(ids)
        loss = loss_fn(logits.reshape(-1, V), targets.reshape(-1))
        loss.backward()
        opt.step()
        dt = time.perf_counter() - t0
        if s >= a.warmup:
            times.append(dt)
    times.sort()
    n = len(times)
    median = times[n // 2] if n % 2 else 0.5 * (times[n // 2 - 1] + times[n // 2])
    print(json.dumps({"ms": median * 1e3, "loss_torch": loss0, "loss_normscope": normscope_loss,
                      "threads": a.threads, "torch": torch.__version__, "openblas_core": openblas_core()}))


if __name__ == "__main__":
    sys.exit(main())
