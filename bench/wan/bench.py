#!/usr/bin/env python3
"""WAN benchmark: mirror-worker vs skopeo copy --all with the source behind a link shaper.

The source registry sits behind shaper.py (each connection capped at --rate MB/s, each request
held --delay ms), as a registry across regions or a CDN looks from one client; the destinations
are local. The same images go through skopeo and through the worker in one run, in alternating
order; every copy is checked (destination digest = source digest). Stdlib only; started by
bench/wan/run.sh, which picks the JDK. Reuses the image generation and registry handling of
bench/worker/bench.py (images cached in bench/worker/.cache).
"""

import argparse
import datetime
import importlib.util
import json
import os
import random
import subprocess
import sys
import tarfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location("workerbench", os.path.join(HERE, "..", "worker", "bench.py"))
wb = importlib.util.module_from_spec(spec)
spec.loader.exec_module(wb)

MIB = 1 << 20


def build_layer_image():
    """One 512 MiB layer (incompressible bytes in a tar, gzip-wrapped), single-platform manifest."""
    rng = random.Random(512 << 20)
    w = wb.LayerWriter(1)
    tf = tarfile.open(fileobj=w, mode="w|", format=tarfile.PAX_FORMAT)
    ti = tarfile.TarInfo("data/blob.bin")
    ti.size, ti.mode, ti.mtime = 512 * MIB, 0o644, 1700000000
    tf.addfile(ti, wb.RandomReader(rng, 512 * MIB))
    tf.close()
    layer = w.finish()
    return wb.image_from_layers([[layer]], [wb.PLATFORMS[0]], index=False)


SIGNED_TAGS = 40
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"


def push_signed(host, repo, n):
    """n small one-layer images tagged t0..t{n-1}, each with a cosign signature tag sha256-<hex>.sig
    (a simple-signing payload as its layer); returns {tag: digest} for every tag pushed."""
    rng = random.Random(n)

    def blob(data):
        digest, size = wb.store_bytes(data)
        wb.push_blob(host, repo, digest, wb.blob_path(digest))
        return {"digest": digest, "size": size}

    def manifest(tag, config, layer, layer_type, annotations=None):
        body = {"schemaVersion": 2, "mediaType": OCI_MANIFEST,
                "config": {"mediaType": "application/vnd.oci.image.config.v1+json", **config},
                "layers": [{"mediaType": layer_type, **layer, **({"annotations": annotations} if annotations else {})}]}
        return wb.push_manifest(host, repo, tag, OCI_MANIFEST, json.dumps(body).encode())

    tags = {}
    for i in range(n):
        layer = blob(rng.randbytes(4096))
        config = blob(json.dumps({"architecture": "amd64", "os": "linux", "rootfs": {"type": "layers",
                                  "diff_ids": ["sha256:" + "0" * 64]}, "created": f"2026-01-01T00:00:{i:02d}Z"}).encode())
        digest = manifest(f"t{i}", config, layer, "application/vnd.oci.image.layer.v1.tar+gzip")
        tags[f"t{i}"] = digest
        payload = blob(json.dumps({"critical": {"identity": {"docker-reference": repo},
                                   "image": {"docker-manifest-digest": digest}, "type": "cosign container image signature"},
                                   "optional": None}).encode())
        sig_tag = "sha256-" + digest.split(":")[1] + ".sig"
        tags[sig_tag] = manifest(sig_tag, blob(b"{}"), payload, "application/vnd.dev.cosign.simplesigning.v1+json",
                                 {"dev.cosignproject.cosign/signature": "MEUCIQDbench"})
    return tags


class Shaper:
    """shaper.py in front of a registry."""

    def __init__(self, upstream, rate, delay):
        self.proc = subprocess.Popen([sys.executable, os.path.join(HERE, "shaper.py"), "--upstream", upstream,
                                      "--rate", str(rate), "--delay", str(delay)], stdout=subprocess.PIPE,
                                     stdin=subprocess.DEVNULL, text=True)
        wb.PROCS.append(self.proc)
        line = self.proc.stdout.readline().strip()
        if not line.startswith("listening "):
            raise wb.BenchError(f"the shaper did not start: {line!r}")
        self.host = line.split()[1]

    def stop(self):
        self.proc.terminate()
        self.proc.wait(10)
        wb.PROCS.remove(self.proc)


def run(args, java):
    work = wb.mkdtemp("wan")
    jar, jar_sha, _ = wb.snapshot_jar(work)
    policy = os.path.join(work, "policy.json")
    with open(policy, "w") as f:
        json.dump({"default": [{"type": "insecureAcceptAnything"}]}, f)
    tools = wb.Tools(java, jar, policy)
    info = wb.machine_info(java)

    app = wb.cached_image("app", wb.build_app_image)
    layer = wb.cached_image("layer512", build_layer_image)
    src = wb.Registry("wan-source")
    wb.push_image(src.host, "bench/app", "v1", app)
    wb.push_image(src.host, "bench/layer", "v1", layer)
    signed = push_signed(src.host, "bench/signed", SIGNED_TAGS)
    shaper = Shaper(src.host, args.rate, args.delay)
    log = wb.log
    log(f"source {src.host} behind the shaper at {shaper.host}: {args.rate} MB/s per connection, {args.delay} ms per request")

    cases = [
        ("layer1", "bench/layer", layer, 1),
        ("app1", "bench/app", app, 1),
        ("app3", "bench/app", app, 3),
        ("signed1", "bench/signed", None, 1),
    ]
    R = {f"{c}_{who}": [] for c, *_ in cases for who in ("worker", "skopeo")}
    rss = []
    for i in range(args.runs):
        for case, repo, image, n in cases:
            order = ["worker", "skopeo"] if i % 2 == 0 else ["skopeo", "worker"]
            for who in order:
                dests = [wb.Registry(f"{case}-{who}-{k}") for k in range(n)]
                if case == "signed1":
                    wall = copy_signed(tools, who, f"{shaper.host}/{repo}", dests[0], signed)
                    dests[0].stop()
                    R[f"{case}_{who}"].append(wall)
                    log(f"run {i + 1}/{args.runs} {case} {who}: {wall:.2f} s")
                    continue
                src_ref = f"{shaper.host}/{repo}:v1"
                refs = [f"{d.host}/mirror/x:v1" for d in dests]
                if who == "worker":
                    r = tools.worker(src_ref, refs, args=())
                    wall = r["wall"]
                    if case == "layer1":
                        rss.append(r["rss_mb"])
                else:
                    wall = 0.0
                    for ref in refs:  # the original worker: one skopeo copy --all per destination
                        wall += tools.skopeo(src_ref, ref)["wall"]
                for d in dests:
                    wb.verify(d.host, "mirror/x", "v1", image["top"]["digest"], f"{who}, {case}")
                    d.stop()
                R[f"{case}_{who}"].append(wall)
                log(f"run {i + 1}/{args.runs} {case} {who}: {wall:.2f} s")
    shaper.stop()
    src.stop()
    return R, rss, info, jar_sha, app, layer


def copy_signed(tools, who, src_repo, dest, tags):
    """The signed repository to dest: one worker run selecting t* (their signatures travel with them),
    or one skopeo copy per tag, signature tags included, as a script mirroring a signed repository does."""
    if who == "worker":
        wall = tools.worker(src_repo, [f"{dest.host}/mirror/signed"], args=("--tags", "t*", "--progress", "none"))["wall"]
    else:
        wall = sum(tools.skopeo(f"{src_repo}:{tag}", f"{dest.host}/mirror/signed:{tag}")["wall"] for tag in tags)
    for tag, digest in tags.items():
        wb.verify(dest.host, "mirror/signed", tag, digest, f"{who}, signed")
    return wall


def report(R, rss, info, args, app, layer, started):
    med, spread = wb.med, wb.spread
    rows = [
        ("one 512 MiB layer, 1 destination", "layer1", 0.30),
        (f"{app['total_bytes'] / 1e6:.0f} MB 4-platform image, 1 destination", "app1", 0.60),
        (f"{app['total_bytes'] / 1e6:.0f} MB 4-platform image, 3 destinations (skopeo: 3 runs)", "app3", 0.25),
        (f"{SIGNED_TAGS} signed tags (tag rules; skopeo: one copy per tag and per signature tag)", "signed1", None),
    ]
    out = [f"# WAN benchmark: source behind {args.rate:g} MB/s per connection, {args.delay:g} ms per request", "",
           f"{datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%d %H:%M UTC')}, "
           f"{info['nproc']} CPUs, load average at start {started[0]:.2f} {started[1]:.2f} {started[2]:.2f}; "
           f"{info['java'][0] if info['java'] else ''}; {info['skopeo']}; {info['registry']}; commit {info['commit']}", "",
           f"Medians of {args.runs} runs, worker and skopeo alternating; every copy checked against the source digest.", "",
           "| case | ecr-mirror (s) | skopeo (s) | ratio | target | |", "|---|---:|---:|---:|---|---|"]
    for label, key, target in rows:
        w, s = R[f"{key}_worker"], R[f"{key}_skopeo"]
        ratio = med(w) / med(s)
        ratios = [a / b for a, b in zip(w, s)]
        verdict = "" if target is None else f"≤ {target}× | {'met' if ratio <= target else 'missed'}"
        out.append(f"| {label} | {med(w):.2f} ({spread(w)}) | {med(s):.2f} ({spread(s)}) | {ratio:.2f}× "
                   f"(runs {min(ratios):.2f}–{max(ratios):.2f}) | {verdict or '(info) |'} |")
    out.append(f"| peak RSS, 512 MiB layer (MB) | {med(rss):.0f} (max {max(rss):.0f}) | | | ≤ 300 MB | "
               f"{'met' if max(rss) <= 300 else 'missed'} |")
    out.append("")
    out.append(f"Load average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}.")
    return "\n".join(out) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--java", required=True)
    ap.add_argument("--runs", type=int, default=3, help="runs per figure (median); default 3")
    ap.add_argument("--rate", type=float, default=20.0, help="MB/s per connection (default 20)")
    ap.add_argument("--delay", type=float, default=20.0, help="ms per request (default 20)")
    ap.add_argument("--no-write", action="store_true", help="print only; do not write results.md")
    args = ap.parse_args()
    os.chdir(wb.ROOT)
    os.makedirs(wb.CACHE, exist_ok=True)
    for var in ("JAVA_TOOL_OPTIONS", "_JAVA_OPTIONS", "JDK_JAVA_OPTIONS"):
        os.environ.pop(var, None)
    started = os.getloadavg()
    R, rss, info, _, app, layer = run(args, args.java)
    text = report(R, rss, info, args, app, layer, started)
    print(text)
    if not args.no_write:
        with open(os.path.join(HERE, "results.md"), "w") as f:
            f.write(text)


if __name__ == "__main__":
    try:
        main()
    except wb.BenchError as e:
        print(f"\nBENCHMARK FAILED: {e}", file=sys.stderr)
        sys.exit(1)
    finally:
        wb.cleanup()
