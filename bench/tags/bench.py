#!/usr/bin/env python3
"""Tags benchmark: one mirror-worker run over 200 tags vs one skopeo copy --all per tag.

Stdlib only. Started by bench/tags/run.sh, which picks the JDK; see bench/tags/README.md. The
registry processes, access-log accounting, timing and clean-up come from bench/worker/bench.py.
"""

import argparse
import datetime
import hashlib
import json
import os
import random
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "worker"))
import bench as wb  # noqa: E402  (bench/worker/bench.py: Registry, timed, cleanup on exit)

ROOT = wb.ROOT
REPO = "bench/many"
DEST_REPO = "mirror/many"
ARCHES = ["amd64", "arm64"]


def sha(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


def push_bytes(host, repo, data):
    """Pushes one blob (POST, then one PUT); returns its digest."""
    digest = sha(data)
    if wb.blob_exists(host, repo, digest):
        return digest
    c = wb._conn(host)
    c.request("POST", f"/v2/{repo}/blobs/uploads/", headers={"Content-Length": "0"})
    r = c.getresponse()
    r.read()
    if r.status != 202:
        raise wb.BenchError(f"POST upload: HTTP {r.status}")
    loc = wb.urllib.parse.urlsplit(r.getheader("Location"))
    url = loc.path + "?" + (loc.query + "&" if loc.query else "") + "digest=" + wb.urllib.parse.quote(digest)
    c.request("PUT", url, body=data, headers={"Content-Type": "application/octet-stream",
                                               "Content-Length": str(len(data))})
    r = c.getresponse()
    body = r.read()
    c.close()
    if r.status != 201:
        raise wb.BenchError(f"PUT blob {digest}: HTTP {r.status} {body[:300]!r}")
    return digest


def build_source(host, count, seed):
    """
    Pushes `count` tags 1.0.0 … sharing most of their bytes: every image stacks a per-architecture
    base layer (8 MB) and a runtime layer per major version and architecture (3 MB) under an app
    layer of its own (50 KB) and a config. Three tags in four are two-platform OCI indexes, the
    fourth a single amd64 manifest. Returns {tag: top digest}, the distinct blob bytes, and the
    bytes a copy that shared nothing between tags would read.
    """
    rng = random.Random(seed)
    sizes = {}

    def blob(data):
        d = push_bytes(host, REPO, data)
        sizes[d] = len(data)
        return {"mediaType": wb.OCI_LAYER_GZIP, "digest": d, "size": len(data)}

    base = {a: blob(rng.randbytes(8_000_000)) for a in ARCHES}
    runtime = {}
    tops = {}
    per_tag_bytes = 0
    for i in range(count):
        major, minor = 1 + i // 50, i % 50
        tag = f"{major}.{minor}.0"
        for a in ARCHES:
            if (major, a) not in runtime:
                runtime[(major, a)] = blob(rng.randbytes(3_000_000))

        def image(arch):
            nonlocal per_tag_bytes
            app = blob(rng.randbytes(50_000 + rng.randrange(5_000)))
            config = json.dumps({"architecture": arch, "os": "linux",
                                 "config": {"Cmd": ["serve"], "Labels": {"version": tag}},
                                 "rootfs": {"type": "layers", "diff_ids": []}}, indent=2).encode()
            cfg = blob(config)
            cfg["mediaType"] = wb.OCI_CONFIG
            layers = [base[arch], runtime[(major, arch)], app]
            per_tag_bytes += cfg["size"] + sum(l["size"] for l in layers)
            manifest = json.dumps({"schemaVersion": 2, "mediaType": wb.OCI_MANIFEST, "config": cfg,
                                   "layers": layers}, indent=2).encode()
            return manifest

        if i % 4 == 3:
            manifest = image("amd64")
            tops[tag] = wb.push_manifest(host, REPO, tag, wb.OCI_MANIFEST, manifest)
        else:
            entries = []
            for a in ARCHES:
                manifest = image(a)
                d = wb.push_manifest(host, REPO, sha(manifest), wb.OCI_MANIFEST, manifest)
                entries.append({"mediaType": wb.OCI_MANIFEST, "digest": d, "size": len(manifest),
                                "platform": {"architecture": a, "os": "linux"}})
            index = json.dumps({"schemaVersion": 2, "mediaType": wb.OCI_INDEX, "manifests": entries},
                               indent=2).encode()
            tops[tag] = wb.push_manifest(host, REPO, tag, wb.OCI_INDEX, index)
        if tops[tag] is None:
            raise wb.BenchError(f"the source registry gave no digest for {tag}")
    return tops, sum(sizes.values()), per_tag_bytes


def verify_all(host, tops, who):
    for tag, want in tops.items():
        wb.verify(host, DEST_REPO, tag, want, who)


def run(args, java):
    work = wb.mkdtemp("tags-work")
    jar, jar_sha, jar_mtime = wb.snapshot_jar(work)
    policy = os.path.join(work, "policy.json")
    with open(policy, "w") as f:
        json.dump({"default": [{"type": "insecureAcceptAnything"}]}, f)
    info = wb.machine_info(java)
    info["jar"] = f"sha256 {jar_sha[:12]}, built {datetime.datetime.fromtimestamp(jar_mtime).strftime('%Y-%m-%d %H:%M:%S')}"

    src = wb.Registry("source", access_log=True)
    wb.log(f"pushing {args.tags} tags to the source registry {src.host}")
    tops, distinct, per_tag = build_source(src.host, args.tags, 7)
    wb.log(f"source: {len(tops)} tags, {distinct / 1e6:.1f} MB distinct, {per_tag / 1e6:.0f} MB if nothing were shared")
    pins = ",".join(f"{t}@{d}" for t, d in tops.items())
    R = {"worker": [], "skopeo": [], "src_worker": [], "src_skopeo": [], "req_worker": [], "req_skopeo": [],
         "worker_sync": [], "reported": []}

    for i in range(args.runs):
        wb.log(f"run {i + 1}/{args.runs}")
        order = ["worker", "skopeo"] if i % 2 == 0 else ["skopeo", "worker"]
        for who in order:
            d = wb.Registry(f"dest-{who}")
            off = src.log_offset()
            if who == "worker":
                r = wb.timed([java, "-jar", jar, "--json", "--progress", "none", "--pin", pins,
                              f"{src.host}/{REPO}", f"{d.host}/{DEST_REPO}"])
                if r["rc"] != 0:
                    raise wb.BenchError(f"worker failed (rc {r['rc']})\n{r['out'][-2000:]}\n{r['err'][-2000:]}")
                report = json.loads(r["out"])
                if report["copied"] != len(tops):
                    raise wb.BenchError(f"worker copied {report['copied']} tags, not {len(tops)}")
                R["reported"].append(report["sourceBytesRead"])
                wall = r["wall"]
            else:
                t0 = time.monotonic()
                for tag in tops:
                    r = wb.timed(["skopeo", "--policy", policy, "copy", "--all", "--preserve-digests",
                                  "--src-tls-verify=false", "--dest-tls-verify=false",
                                  f"docker://{src.host}/{REPO}:{tag}", f"docker://{d.host}/{DEST_REPO}:{tag}"])
                    if r["rc"] != 0:
                        raise wb.BenchError(f"skopeo failed on {tag} (rc {r['rc']}): {r['err'][-2000:]}")
                wall = time.monotonic() - t0
            served, requests, _gets = src.bytes_served_since(off)
            verify_all(d.host, tops, who)
            R[who].append(wall)
            R[f"src_{who}"].append(served)
            R[f"req_{who}"].append(requests)
            if who == "worker":
                # Nothing left to do: the same run again against the filled destination.
                r = wb.timed([java, "-jar", jar, "--json", "--progress", "none", "--pin", pins,
                              f"{src.host}/{REPO}", f"{d.host}/{DEST_REPO}"])
                again = json.loads(r["out"])
                if r["rc"] != 0 or again["inSync"] != len(tops) or again["sourceBytesRead"] != 0:
                    raise wb.BenchError(f"second worker run was not all in sync: {r['out'][:500]}")
                R["worker_sync"].append(r["wall"])
            d.stop()
            wb.log(f"  {who}: {wall:.2f} s, source served {served / 1e6:.1f} MB in {requests} requests")
    return info, tops, distinct, per_tag, R


def report(info, tops, distinct, per_tag, R, args):
    med = wb.med
    w, s = med(R["worker"]), med(R["skopeo"])
    sw, ss = med(R["src_worker"]), med(R["src_skopeo"])
    time_ok = w <= 0.5 * s
    bytes_ok = sw <= 1.05 * distinct
    mark = lambda ok: "met" if ok else "missed"  # noqa: E731
    lines = [
        "# Tags benchmark: one worker run vs one `skopeo copy --all` per tag",
        "",
        f"{datetime.date.today().isoformat()}; {info['nproc']} CPUs, {info['mem_gib']:.1f} GiB; {info['java'][0] if info['java'] else 'java ?'}; "
        f"{info['skopeo']}; worker jar {info['jar']}; commit {info['commit']}; load average "
        f"{info['load'][0]:.1f} at the start, {os.getloadavg()[0]:.1f} at the end.",
        "",
        f"Source: {len(tops)} tags of one repository on a local docker-registry (three in four two-platform OCI "
        f"indexes, the rest single manifests), {distinct / 1e6:.1f} MB of distinct blobs; copied tag by tag with "
        f"nothing shared they would be {per_tag / 1e6:.0f} MB. Each copy goes to a fresh, empty destination "
        f"registry. Medians of {args.runs} runs, the two sides alternating which goes first; after every copy "
        f"each of the {len(tops)} destination tags is checked with HEAD against the source digest.",
        "",
        "| case | ecr-mirror (one run, `--pin` × %d) | skopeo (%d runs) | ratio | target | |" % (len(tops), len(tops)),
        "|---|---|---|---|---|---|",
        f"| wall time (s) | {w:.2f} | {s:.2f} | {w / s:.2f}× | ≤ 0.5× | {mark(time_ok)} |",
        f"| bytes served by the source (MB, from its access log) | {sw / 1e6:.1f} | {ss / 1e6:.1f} | | | |",
        f"| the same, × the distinct blob bytes | {sw / distinct:.3f}× | {ss / distinct:.3f}× | | ≤ 1.05× | {mark(bytes_ok)} |",
        f"| requests served by the source | {med(R['req_worker']):.0f} | {med(R['req_skopeo']):.0f} | | | |",
        "",
        f"- Per run, worker: {', '.join(f'{x:.2f}' for x in R['worker'])} s; skopeo: "
        f"{', '.join(f'{x:.1f}' for x in R['skopeo'])} s.",
        f"- The worker's own count of blob bytes read (`sourceBytesRead`): {med(R['reported']) / 1e6:.1f} MB; "
        f"the access log adds the manifests it read.",
        f"- The same worker run again, everything in sync: {med(R['worker_sync']):.2f} s (one HEAD per tag and "
        f"destination, nothing read from the source).",
    ]
    return "\n".join(lines) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--java", required=True)
    ap.add_argument("--runs", type=int, default=3, help="runs per figure (median); default 3")
    ap.add_argument("--tags", type=int, default=200, help="tags in the source repository; default 200")
    ap.add_argument("--no-write", action="store_true", help="print only; do not write results.md")
    args = ap.parse_args()
    os.chdir(ROOT)
    for var in ("JAVA_TOOL_OPTIONS", "_JAVA_OPTIONS", "JDK_JAVA_OPTIONS"):
        os.environ.pop(var, None)
    t0 = time.time()
    text = report(*run(args, args.java), args)
    text += f"\nBenchmark wall time: {(time.time() - t0) / 60:.1f} min.\n"
    print(text)
    if not args.no_write:
        with open(os.path.join(HERE, "results.md"), "w") as f:
            f.write(text)
        wb.log("wrote bench/tags/results.md")


if __name__ == "__main__":
    try:
        main()
    except wb.BenchError as e:
        print(f"\nBENCHMARK FAILED: {e}", file=sys.stderr)
        sys.exit(1)
