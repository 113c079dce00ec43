#!/usr/bin/env python3
"""Worker benchmark: mirror-worker vs skopeo copy --all on local docker-registry processes.

Stdlib only. Started by bench/worker/run.sh, which picks the JDK; see bench/worker/README.md.
"""

import argparse
import atexit
import datetime
import gzip
import hashlib
import http.client
import io
import json
import os
import platform
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
import urllib.parse
import zipfile
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
CACHE = os.path.join(HERE, ".cache")
JAR = os.path.join("mirror-worker", "target", "mirror-worker.jar")
GEN_VERSION = "gen-v2"

OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCI_LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip"
ACCEPT = ", ".join([
    OCI_INDEX, OCI_MANIFEST,
    "application/vnd.docker.distribution.manifest.list.v2+json",
    "application/vnd.docker.distribution.manifest.v2+json",
    "application/vnd.docker.distribution.manifest.v1+prettyjws",
])

PLATFORMS = [
    {"os": "linux", "architecture": "amd64"},
    {"os": "linux", "architecture": "arm64", "variant": "v8"},
    {"os": "linux", "architecture": "arm", "variant": "v7"},
    {"os": "linux", "architecture": "ppc64le"},
]


def log(msg):
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


class BenchError(Exception):
    pass


# ---------------------------------------------------------------------------------------------
# Processes and temp dirs: everything started here is tracked and stopped on exit, whatever ends us.

PROCS = []
TEMP_DIRS = []


def cleanup():
    for p in reversed(PROCS):
        if p.poll() is None:
            try:
                p.terminate()
            except OSError:
                pass
    deadline = time.time() + 10
    for p in reversed(PROCS):
        try:
            p.wait(timeout=max(0.1, deadline - time.time()))
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
    PROCS.clear()
    for d in reversed(TEMP_DIRS):
        shutil.rmtree(d, ignore_errors=True)
    TEMP_DIRS.clear()


def _on_signal(signum, _frame):
    raise SystemExit(128 + signum)


atexit.register(cleanup)
for _sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
    signal.signal(_sig, _on_signal)


def mkdtemp(prefix):
    d = tempfile.mkdtemp(prefix=f"ecr-mirror-bench-{prefix}-")
    TEMP_DIRS.append(d)
    return d


def rmtemp(d):
    shutil.rmtree(d, ignore_errors=True)
    if d in TEMP_DIRS:
        TEMP_DIRS.remove(d)


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Registry:
    """One docker-registry process on a random loopback port, storage in its own temp dir."""

    def __init__(self, name, access_log=False):
        self.name = name
        self.access_log = access_log
        self.dir = mkdtemp(f"registry-{name}")
        self.proc = None
        self.port = None
        self.log_path = os.path.join(self.dir, "registry.log")
        self._start()

    @property
    def host(self):
        return f"127.0.0.1:{self.port}"

    def _start(self):
        for _attempt in range(10):
            port = free_port()
            cfg = os.path.join(self.dir, "config.yml")
            with open(cfg, "w") as f:
                f.write(
                    "version: 0.1\n"
                    "log:\n"
                    "  level: error\n"
                    "  formatter: text\n"
                    "  accesslog:\n"
                    f"    disabled: {'false' if self.access_log else 'true'}\n"
                    "storage:\n"
                    "  filesystem:\n"
                    f"    rootdirectory: {os.path.join(self.dir, 'data')}\n"
                    "  delete:\n"
                    "    enabled: true\n"
                    "http:\n"
                    f"  addr: 127.0.0.1:{port}\n"
                )
            logf = open(self.log_path, "ab")
            proc = subprocess.Popen(["docker-registry", "serve", cfg], stdout=logf, stderr=logf,
                                    stdin=subprocess.DEVNULL)
            logf.close()
            PROCS.append(proc)
            deadline = time.time() + 15
            while time.time() < deadline and proc.poll() is None:
                try:
                    c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                    c.request("GET", "/v2/")
                    r = c.getresponse()
                    r.read()
                    c.close()
                    if r.status == 200:
                        self.proc, self.port = proc, port
                        return
                except OSError:
                    pass
                time.sleep(0.05)
            if proc.poll() is None:
                proc.terminate()
                proc.wait()
            PROCS.remove(proc)
        raise BenchError(f"registry {self.name} did not start; see its log:\n" + open(self.log_path).read()[-2000:])

    def stop(self):
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            PROCS.remove(self.proc)
            self.proc = None
        rmtemp(self.dir)

    def log_offset(self):
        return os.path.getsize(self.log_path)

    def cpu(self):
        """CPU seconds (user + system) the registry process has used so far."""
        with open(f"/proc/{self.proc.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def bytes_served_since(self, offset):
        """Sums the response sizes of the access-log lines written after offset (combined log format)."""
        time.sleep(0.3)  # the registry logs a request after its last byte is written
        total, requests, gets = 0, 0, 0
        with open(self.log_path, "rb") as f:
            f.seek(offset)
            for line in f.read().decode("utf-8", "replace").splitlines():
                m = re.search(r'"(GET|HEAD|PUT|POST|PATCH|DELETE) ([^ ]+) [^"]*" (\d{3}) (\d+|-)', line)
                if not m:
                    continue
                requests += 1
                if m.group(4) != "-":
                    total += int(m.group(4))
                if m.group(1) == "GET":
                    gets += 1
        return total, requests, gets


# ---------------------------------------------------------------------------------------------
# Registry API helpers (push, HEAD)


def _conn(host, timeout=600):
    h, p = host.rsplit(":", 1)
    return http.client.HTTPConnection(h, int(p), timeout=timeout, blocksize=1 << 20)


def head_digest(host, repo, ref):
    c = _conn(host, 30)
    c.request("HEAD", f"/v2/{repo}/manifests/{ref}", headers={"Accept": ACCEPT})
    r = c.getresponse()
    r.read()
    c.close()
    if r.status != 200:
        return None
    return r.getheader("Docker-Content-Digest")


def blob_exists(host, repo, digest):
    c = _conn(host, 30)
    c.request("HEAD", f"/v2/{repo}/blobs/{digest}")
    r = c.getresponse()
    r.read()
    c.close()
    return r.status == 200


def push_blob(host, repo, digest, path):
    if blob_exists(host, repo, digest):
        return
    c = _conn(host)
    c.request("POST", f"/v2/{repo}/blobs/uploads/", headers={"Content-Length": "0"})
    r = c.getresponse()
    r.read()
    if r.status != 202:
        raise BenchError(f"POST upload for {digest}: HTTP {r.status}")
    loc = urllib.parse.urlsplit(r.getheader("Location"))
    url = loc.path + "?" + (loc.query + "&" if loc.query else "") + "digest=" + urllib.parse.quote(digest)
    size = os.path.getsize(path)
    with open(path, "rb") as f:
        c.request("PUT", url, body=f, headers={"Content-Type": "application/octet-stream",
                                                "Content-Length": str(size)})
        r = c.getresponse()
        body = r.read()
    c.close()
    if r.status != 201:
        raise BenchError(f"PUT blob {digest}: HTTP {r.status} {body[:300]!r}")


def push_manifest(host, repo, ref, media_type, data):
    c = _conn(host)
    c.request("PUT", f"/v2/{repo}/manifests/{ref}", body=data,
              headers={"Content-Type": media_type, "Content-Length": str(len(data))})
    r = c.getresponse()
    body = r.read()
    c.close()
    if r.status != 201:
        raise BenchError(f"PUT manifest {ref}: HTTP {r.status} {body[:300]!r}")
    return r.getheader("Docker-Content-Digest")


def push_image(host, repo, tag, image):
    for b in image["blobs"]:
        push_blob(host, repo, b["digest"], blob_path(b["digest"]))
    for m in image["manifests"]:  # children by digest first, then the top manifest by tag
        data = open(blob_path(m["digest"]), "rb").read()
        push_manifest(host, repo, m["digest"], m["mediaType"], data)
    top = image["top"]
    data = open(blob_path(top["digest"]), "rb").read()
    got = push_manifest(host, repo, tag, top["mediaType"], data)
    if got != top["digest"]:
        raise BenchError(f"source registry stored {got}, expected {top['digest']}")


# ---------------------------------------------------------------------------------------------
# Image generation (cached in bench/worker/.cache)


def blob_path(digest):
    return os.path.join(CACHE, "blobs", digest.replace(":", "-"))


def store_bytes(data):
    digest = "sha256:" + hashlib.sha256(data).hexdigest()
    p = blob_path(digest)
    if not os.path.exists(p):
        tmp = p + ".tmp"
        with open(tmp, "wb") as f:
            f.write(data)
        os.replace(tmp, p)
    return digest, len(data)


class LayerWriter:
    """File-like sink for tarfile: hashes the tar (diff_id), gzips it, hashes and stores the gzip."""

    def __init__(self, level):
        os.makedirs(os.path.join(CACHE, "blobs"), exist_ok=True)
        self.tmp = os.path.join(CACHE, "blobs", f"layer-{os.getpid()}-{random.random()}.tmp")
        self.out = open(self.tmp, "wb")
        self.diff = hashlib.sha256()
        self.comp = hashlib.sha256()
        self.size = 0
        self.uncompressed = 0
        # gzip framing by hand so the header carries no name or time (reproducible bytes)
        self.z = zlib.compressobj(level, zlib.DEFLATED, -15, 9)
        self.crc = 0
        self._emit(b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff")

    def _emit(self, b):
        if b:
            self.out.write(b)
            self.comp.update(b)
            self.size += len(b)

    def write(self, b):
        b = bytes(b)
        self.diff.update(b)
        self.crc = zlib.crc32(b, self.crc)
        self.uncompressed += len(b)
        self._emit(self.z.compress(b))
        return len(b)

    def finish(self):
        self._emit(self.z.flush())
        self._emit((self.crc & 0xFFFFFFFF).to_bytes(4, "little") + (self.uncompressed & 0xFFFFFFFF).to_bytes(4, "little"))
        self.out.close()
        digest = "sha256:" + self.comp.hexdigest()
        os.replace(self.tmp, blob_path(digest))
        return {"digest": digest, "size": self.size, "diff_id": "sha256:" + self.diff.hexdigest(),
                "uncompressed": self.uncompressed}


WORDS = None


def text_pool(rng, size):
    """Source-code and config-like text: compresses about 3-4x with gzip, like real layers' text."""
    global WORDS
    if WORDS is None:
        syll = ["ka", "lo", "mi", "ne", "ro", "tu", "si", "va", "pe", "do", "gri", "sta", "con", "fig",
                "ser", "ver", "lib", "dat", "sys", "net", "http", "path", "buf", "str", "int", "err"]
        WORDS = sorted({"".join(rng.choice(syll) for _ in range(rng.randint(1, 4))) for _ in range(6000)})
    lines = []
    n = 0
    kinds = ["{ind}{a} = {b}({c}, {d})\n", "{ind}if {a} != nil {{ return {b} }}\n", "# {a} {b} {c} {d} {e} {f}\n",
             "{ind}{a}.{b}.{c}: \"{d}-{n}\"\n", "{ind}<{a} name=\"{b}\">{c} {d}</{a}>\n", "{a}={b}/{c}/{d}:{n}\n"]
    while n < size:
        w = rng.choices(WORDS, k=6)
        line = rng.choice(kinds).format(ind=" " * rng.choice((0, 2, 4, 8)), a=w[0], b=w[1], c=w[2], d=w[3],
                                        e=w[4], f=w[5], n=rng.randint(0, 99999))
        lines.append(line)
        n += len(line)
    return "".join(lines).encode()


def make_layer(rng, pool, compressed_target, random_share, prefix):
    """A tar.gz of generated files: text slices of the pool plus incompressible 'binaries'."""
    w = LayerWriter(6)
    tf = tarfile.open(fileobj=w, mode="w|", format=tarfile.PAX_FORMAT)
    rand_left = int(compressed_target * random_share)
    # text compresses ~2.5-3x at level 6 with this generator (a bit of it repeats within the window)
    text_left = int(compressed_target * (1 - random_share) * 3.0)
    i = 0
    dirs = set()
    while rand_left > 0 or text_left > 0:
        i += 1
        if text_left > 0 and (rand_left <= 0 or rng.random() < 0.85):
            size = min(text_left, int(rng.lognormvariate(9.5, 1.2)) + 64)
            off = rng.randrange(0, len(pool) - size) if len(pool) > size else 0
            data = pool[off:off + size]
            text_left -= size
            d = f"{prefix}/usr/share/{rng.choice(WORDS)}"
            name = f"{d}/{rng.choice(WORDS)}_{i}.{rng.choice(['py', 'go', 'conf', 'txt', 'xml', 'h', 'js'])}"
        else:
            size = min(rand_left, int(rng.lognormvariate(12.5, 1.3)) + 1024)
            data = rng.randbytes(size)
            rand_left -= size
            d = f"{prefix}/usr/lib/{rng.choice(WORDS)}"
            name = f"{d}/lib{rng.choice(WORDS)}_{i}.so"
        if d not in dirs:
            dirs.add(d)
            ti = tarfile.TarInfo(d)
            ti.type, ti.mode, ti.mtime = tarfile.DIRTYPE, 0o755, 1700000000
            tf.addfile(ti)
        ti = tarfile.TarInfo(name)
        ti.size, ti.mode, ti.mtime = len(data), 0o644, 1700000000
        tf.addfile(ti, io.BytesIO(data))
    tf.close()
    return w.finish()


class RandomReader:
    def __init__(self, rng, size):
        self.rng, self.left = rng, size

    def read(self, n=-1):
        if n < 0 or n > self.left:
            n = self.left
        self.left -= n
        return self.rng.randbytes(n)


def image_from_layers(layers_by_platform, platforms, index):
    """Builds configs, OCI manifests and (optionally) an OCI index; returns the image description."""
    blobs, manifests, entries = [], [], []
    for plat, layers in zip(platforms, layers_by_platform):
        config = {
            "created": "2024-11-01T00:00:00Z",
            "architecture": plat["architecture"],
            "os": plat["os"],
            **({"variant": plat["variant"]} if "variant" in plat else {}),
            "config": {"Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "APP_HOME=/app"],
                       "Cmd": ["/app/bin/server", "--port", "8080"], "WorkingDir": "/app",
                       "ExposedPorts": {"8080/tcp": {}}, "Labels": {"org.opencontainers.image.title": "bench-app"}},
            "rootfs": {"type": "layers", "diff_ids": [l["diff_id"] for l in layers]},
            "history": [{"created": "2024-11-01T00:00:00Z", "created_by": f"bench layer {i}"} for i in range(len(layers))],
        }
        cd, cs = store_bytes(json.dumps(config, indent=2).encode())
        blobs.append({"digest": cd, "size": cs})
        blobs.extend({"digest": l["digest"], "size": l["size"]} for l in layers)
        manifest = {
            "schemaVersion": 2,
            "mediaType": OCI_MANIFEST,
            "config": {"mediaType": OCI_CONFIG, "digest": cd, "size": cs},
            "layers": [{"mediaType": OCI_LAYER_GZIP, "digest": l["digest"], "size": l["size"]} for l in layers],
        }
        md, ms = store_bytes(json.dumps(manifest, indent=2).encode())
        manifests.append({"digest": md, "size": ms, "mediaType": OCI_MANIFEST})
        entries.append({"mediaType": OCI_MANIFEST, "digest": md, "size": ms, "platform": plat})
    if not index:
        top = manifests.pop()
    else:
        idx = {"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": entries,
               "annotations": {"org.opencontainers.image.source": "https://example.invalid/bench-app"}}
        d, s = store_bytes(json.dumps(idx, indent=2).encode())
        top = {"digest": d, "size": s, "mediaType": OCI_INDEX}
    total = sum(b["size"] for b in blobs) + sum(m["size"] for m in manifests) + top["size"]
    layers = sum(len(l) for l in layers_by_platform)
    return {"blobs": blobs, "manifests": manifests, "top": top, "total_bytes": total,
            "blob_bytes": sum(b["size"] for b in blobs), "layers": layers,
            "uncompressed": sum(l["uncompressed"] for ls in layers_by_platform for l in ls)}


def cached_image(name, build):
    desc_path = os.path.join(CACHE, f"{GEN_VERSION}-{name}.json")
    if os.path.exists(desc_path):
        image = json.load(open(desc_path))
        paths = [blob_path(b["digest"]) for b in image["blobs"]] + \
                [blob_path(m["digest"]) for m in image["manifests"] + [image["top"]]]
        if all(os.path.exists(p) for p in paths):
            return image
    t0 = time.time()
    log(f"generating image '{name}' into the cache (once)...")
    image = build()
    with open(desc_path + ".tmp", "w") as f:
        json.dump(image, f, indent=1)
    os.replace(desc_path + ".tmp", desc_path)
    log(f"generated '{name}' in {time.time() - t0:.0f} s")
    return image


def build_app_image():
    rng = random.Random(20241101)
    pool = text_pool(rng, 8 << 20)
    layers_by_platform = []
    for pi, plat in enumerate(PLATFORMS):
        # a base layer, a runtime, the app's dependencies, the app: ~50 MB compressed per platform
        targets = [rng.uniform(19, 25), rng.uniform(11, 15), rng.uniform(7, 10), rng.uniform(4.5, 6)]
        layers = []
        for li, mb in enumerate(targets):
            share = rng.uniform(0.35, 0.7)
            layers.append(make_layer(rng, pool, int(mb * 1e6), share, f"l{li}"))
            log(f"  {plat['architecture']}{plat.get('variant', '')} layer {li}: "
                f"{layers[-1]['size'] / 1e6:.1f} MB gzip, {layers[-1]['uncompressed'] / 1e6:.1f} MB tar")
        layers_by_platform.append(layers)
    return image_from_layers(layers_by_platform, PLATFORMS, index=True)


def build_big_image():
    rng = random.Random(1 << 30)
    w = LayerWriter(1)
    tf = tarfile.open(fileobj=w, mode="w|", format=tarfile.PAX_FORMAT)
    ti = tarfile.TarInfo("data/blob.bin")
    ti.size, ti.mode, ti.mtime = 1 << 30, 0o644, 1700000000
    tf.addfile(ti, RandomReader(rng, 1 << 30))
    tf.close()
    layer = w.finish()
    return image_from_layers([[layer]], [PLATFORMS[0]], index=False)


# ---------------------------------------------------------------------------------------------
# Running and timing the tools


def timed(cmd, env=None, timeout=1800):
    """Runs cmd under GNU time; returns dict(wall, rss_mb, user, sys, rc, out, err)."""
    fd, tfile = tempfile.mkstemp(prefix="ecr-mirror-bench-time-")
    os.close(fd)
    try:
        t0 = time.monotonic()
        p = subprocess.Popen(["/usr/bin/time", "-o", tfile, "-f", "%e %M %U %S"] + cmd, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, env=env)
        PROCS.append(p)
        try:
            out, err = p.communicate(timeout=timeout)
        finally:
            PROCS.remove(p)
        wall = time.monotonic() - t0
        lines = [l for l in open(tfile).read().splitlines() if re.match(r"^[\d.]+ \d+ [\d.]+ [\d.]+$", l)]
        e, m, u, s = lines[-1].split() if lines else ("0", "0", "0", "0")
        return {"wall": wall, "rss_mb": int(m) / 1024, "user": float(u), "sys": float(s), "rc": p.returncode,
                "out": out.decode("utf-8", "replace"), "err": err.decode("utf-8", "replace")}
    finally:
        os.unlink(tfile)


class Tools:
    def __init__(self, java, jar, policy):
        self.java, self.jar, self.policy = java, jar, policy

    def worker(self, src, dests, flags=(), args=("--json",)):
        r = timed([self.java, *flags, "-jar", self.jar, *args, *([src] if src else []), *dests])
        if r["rc"] != 0:
            raise BenchError(f"worker failed (rc {r['rc']}): {' '.join([*flags, src, *dests])}\n"
                             f"stdout: {r['out'][-3000:]}\nstderr: {r['err'][-3000:]}")
        if "--json" in args:
            try:
                r["json"] = json.loads(r["out"])
            except ValueError:
                r["json"] = None
        return r

    def skopeo(self, src, dest):
        r = timed(["skopeo", "--policy", self.policy, "copy", "--all", "--preserve-digests",
                   "--src-tls-verify=false", "--dest-tls-verify=false", f"docker://{src}", f"docker://{dest}"])
        if r["rc"] != 0:
            raise BenchError(f"skopeo failed (rc {r['rc']}): {src} -> {dest}\n{r['err'][-3000:]}")
        return r


def verify(dest_host, repo, tag, want, who):
    got = head_digest(dest_host, repo, tag)
    if got != want:
        raise BenchError(f"DIGEST MISMATCH after {who}: {dest_host}/{repo}:{tag} is {got}, source is {want}")


def med(xs):
    return statistics.median(xs) if xs else float("nan")


def spread(xs):
    return f"{min(xs):.2f}–{max(xs):.2f}" if xs else ""


# ---------------------------------------------------------------------------------------------
# The benchmark


def jar_fingerprint(path):
    st = os.stat(path)
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest(), st.st_mtime


def snapshot_jar(workdir):
    """Copies the jar once it has been stable for 3 s and is a readable zip (it may be mid-rebuild)."""
    for _ in range(120):
        try:
            a = os.stat(JAR)
            time.sleep(3)
            b = os.stat(JAR)
            if (a.st_mtime, a.st_size) == (b.st_mtime, b.st_size) and zipfile.is_zipfile(JAR):
                with zipfile.ZipFile(JAR) as z:
                    if z.testzip() is None:
                        dst = os.path.join(workdir, "mirror-worker.jar")
                        shutil.copyfile(JAR, dst)
                        sha, mtime = jar_fingerprint(dst)
                        if (sha, mtime) and os.stat(JAR).st_size == os.path.getsize(dst):
                            return dst, sha, b.st_mtime
        except (OSError, zipfile.BadZipFile):
            pass
        time.sleep(2)
    raise BenchError("the worker jar kept changing for minutes; is a build running?")


def java_feature(java):
    """The feature version (21, 25, ...) of the java executable."""
    out = subprocess.run([java, "-version"], capture_output=True, text=True).stderr
    m = re.search(r'version "(\d+)', out)
    return int(m.group(1)) if m else 0


def machine_info(java):
    mem_kb = 0
    for line in open("/proc/meminfo"):
        if line.startswith("MemTotal:"):
            mem_kb = int(line.split()[1])
    cpu = ""
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    jv = subprocess.run([java, "-version"], capture_output=True, text=True).stderr.strip().splitlines()
    sv = subprocess.run(["skopeo", "--version"], capture_output=True, text=True).stdout.strip()
    rv = subprocess.run(["docker-registry", "--version"], capture_output=True, text=True).stdout.strip()
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "mirror-worker", "common"], capture_output=True,
                               text=True, cwd=ROOT).stdout.strip()
    except OSError:
        commit, dirty = "?", ""
    return {"load": os.getloadavg(), "nproc": os.cpu_count(), "mem_gib": mem_kb / 1048576, "cpu": cpu, "kernel": platform.release(),
            "java": jv, "skopeo": sv, "registry": rv, "commit": commit + (" + uncommitted worker/common changes" if dirty else "")}


def run_bench(args, java):
    work = mkdtemp("work")
    jar, jar_sha, jar_mtime = snapshot_jar(work)
    policy = os.path.join(work, "policy.json")
    with open(policy, "w") as f:
        json.dump({"default": [{"type": "insecureAcceptAnything"}]}, f)
    tools = Tools(java, jar, policy)
    info = machine_info(java)
    info["jar"] = f"sha256 {jar_sha[:12]}, built {datetime.datetime.fromtimestamp(jar_mtime).strftime('%Y-%m-%d %H:%M:%S')}"
    log(f"machine: {info['nproc']} CPUs, {info['mem_gib']:.1f} GiB; worker jar {info['jar']}; commit {info['commit']}")

    app = cached_image("app", build_app_image)
    big = None if args.skip_mem else cached_image("big", build_big_image)

    src = Registry("source", access_log=True)
    repo, tag = "bench/app", "v1"
    log(f"pushing the {app['total_bytes'] / 1e6:.0f} MB image to the source registry {src.host}")
    push_image(src.host, repo, tag, app)
    if big:
        push_image(src.host, "bench/big", "v1", big)
    src_ref = f"{src.host}/{repo}:{tag}"
    want = app["top"]["digest"]
    R = {"worker1": [], "skopeo1": [], "worker3": [], "skopeo3": [], "worker_sync": [], "skopeo_sync": [],
         "worker_sync3": [], "skopeo_sync3": [], "src_worker3": [], "src_skopeo3": [], "src_worker1": [],
         "src_skopeo1": [], "worker_reported_src": [], "cpu_worker1": [], "cpu_skopeo1": [],
         "cpu_worker3": [], "cpu_skopeo3": [], "rss_worker1": [], "rss_skopeo1": [], "phases1": [], "phases3": [],
         "reg_cpu_worker1": [], "reg_cpu_skopeo1": [], "reg_cpu_worker3": [], "reg_cpu_skopeo3": []}
    dest_repo = "mirror/app"

    # In-sync destinations for case 3, filled once with the worker (and checked).
    sync = [Registry(f"sync{i}") for i in range(3)]
    sync_refs = [f"{r.host}/{dest_repo}:{tag}" for r in sync]
    tools.worker(src_ref, sync_refs)
    for r in sync:
        verify(r.host, dest_repo, tag, want, "worker (in-sync setup)")

    for i in range(args.runs):
        log(f"run {i + 1}/{args.runs}")
        order = ["worker", "skopeo"] if i % 2 == 0 else ["skopeo", "worker"]
        for who in order:
            # 1. one destination, fresh registry
            d = Registry(f"d1-{who}")
            dref = f"{d.host}/{dest_repo}:{tag}"
            off = src.log_offset()
            reg_cpu = src.cpu() + d.cpu()
            if who == "worker":
                r = tools.worker(src_ref, [dref])
                verify(d.host, dest_repo, tag, want, "worker, one destination")
                if r.get("json"):
                    R["phases1"].append(r["json"])
            else:
                r = tools.skopeo(src_ref, dref)
                verify(d.host, dest_repo, tag, want, "skopeo, one destination")
            R[f"{who}1"].append(r["wall"])
            R[f"cpu_{who}1"].append(r["user"] + r["sys"])
            R[f"rss_{who}1"].append(r["rss_mb"])
            R[f"reg_cpu_{who}1"].append(src.cpu() + d.cpu() - reg_cpu)
            R[f"src_{who}1"].append(src.bytes_served_since(off)[0])
            d.stop()
            log(f"  one destination, {who}: {r['wall']:.2f} s")

            # 2. three destinations, fresh registries
            ds = [Registry(f"d3-{who}-{k}") for k in range(3)]
            drefs = [f"{x.host}/{dest_repo}:{tag}" for x in ds]
            off = src.log_offset()
            reg_cpu = src.cpu() + sum(x.cpu() for x in ds)
            if who == "worker":
                r = tools.worker(src_ref, drefs)
                wall, cpu = r["wall"], r["user"] + r["sys"]
                if r.get("json"):
                    R["phases3"].append(r["json"])
                    R["worker_reported_src"].append(r["json"].get("sourceBytesRead"))
            else:
                wall, cpu = 0.0, 0.0
                for x in drefs:
                    r = tools.skopeo(src_ref, x)
                    wall += r["wall"]
                    cpu += r["user"] + r["sys"]
            for x in ds:
                verify(x.host, dest_repo, tag, want, f"{who}, three destinations")
            R[f"{who}3"].append(wall)
            R[f"cpu_{who}3"].append(cpu)
            R[f"reg_cpu_{who}3"].append(src.cpu() + sum(x.cpu() for x in ds) - reg_cpu)
            R[f"src_{who}3"].append(src.bytes_served_since(off)[0])
            for x in ds:
                x.stop()
            log(f"  three destinations, {who}: {wall:.2f} s")

            # 3. nothing to do: one and three destinations already in sync
            if who == "worker":
                # The default output, as a user sees it (skopeo's is its default too).
                r = tools.worker(src_ref, sync_refs[:1], args=())
                if r["out"].count("in sync") != 1:
                    log(f"  note: the worker did not report the destination in sync:\n{r['out']}")
                R["worker_sync"].append(r["wall"])
                r = tools.worker(src_ref, sync_refs, args=())
                R["worker_sync3"].append(r["wall"])
            else:
                r = tools.skopeo(src_ref, sync_refs[0])
                R["skopeo_sync"].append(r["wall"])
                w = 0.0
                for x in sync_refs:
                    w += tools.skopeo(src_ref, x)["wall"]
                R["skopeo_sync3"].append(w)
            for x in sync:
                verify(x.host, dest_repo, tag, want, f"{who}, nothing to do")
            log(f"  nothing to do, {who}: {R[who + '_sync'][-1]:.2f} s (three: {R[who + '_sync3'][-1]:.2f} s)")

    # 6. start-up share and CDS / C1 for the nothing-to-do case
    startup = {}
    log("start-up: --version, CDS, C1")
    startup["version"] = [tools.worker(None, [], args=("--version",))["wall"] for _ in range(args.runs)]
    jsa = os.path.join(CACHE, "worker.jsa")
    if os.path.exists(jsa):
        os.unlink(jsa)
    dump = tools.worker(src_ref, sync_refs[:1], flags=(f"-XX:ArchiveClassesAtExit={jsa}",), args=())
    cds_ok = os.path.exists(jsa)
    variants = {"default": ()}
    if cds_ok:
        variants["cds"] = (f"-XX:SharedArchiveFile={jsa}",)
    variants["c1"] = ("-XX:TieredStopAtLevel=1",)
    if cds_ok:
        variants["cds_c1"] = (f"-XX:SharedArchiveFile={jsa}", "-XX:TieredStopAtLevel=1")
    else:
        log(f"CDS archive was not written:\n{dump['err'][-2000:]}")
    for name, flags in variants.items():
        startup[name] = []
        startup["version_" + name] = []
    for i in range(args.runs):
        for name, flags in variants.items():
            startup[name].append(tools.worker(src_ref, sync_refs[:1], flags=flags, args=())["wall"])
            startup["version_" + name].append(tools.worker(None, [], flags=flags, args=("--version",))["wall"])
    cds_share = None
    if cds_ok:
        r = tools.worker(src_ref, sync_refs[:1], flags=(f"-XX:SharedArchiveFile={jsa}", "-Xlog:class+load=info"),
                         args=())
        loads = [l for l in r["out"].splitlines() if "[class,load]" in l]
        shared = [l for l in loads if "shared objects file" in l]
        cds_share = (len(shared), len(loads))
        startup["jsa_mb"] = os.path.getsize(jsa) / 1e6
    for x in sync:
        verify(x.host, dest_repo, tag, want, "start-up runs")

    # 7. the JDK's AOT cache (JDK 25+): what JIT warm-up and class loading cost, measured by taking
    # them away. Trained once on a copy to a fresh registry, then used for copies and in-sync runs.
    aot = {}
    if java_feature(java) >= 25:
        cache = os.path.join(CACHE, "worker.aot")
        if os.path.exists(cache):
            os.unlink(cache)
        d = Registry("aot-train")
        tools.worker(src_ref, [f"{d.host}/{dest_repo}:{tag}"], flags=(f"-XX:AOTCacheOutput={cache}",), args=())
        d.stop()
        if os.path.exists(cache):
            log(f"AOT cache: {args.runs} copies and in-sync runs with it")
            aot = {"one": [], "one_skopeo": [], "sync": [], "mb": os.path.getsize(cache) / 1e6}
            for i in range(args.runs):
                d = Registry("aot")
                r = tools.worker(src_ref, [f"{d.host}/{dest_repo}:{tag}"], flags=(f"-XX:AOTCache={cache}",), args=())
                verify(d.host, dest_repo, tag, want, "worker with AOT cache")
                d.stop()
                aot["one"].append(r["wall"])
                d = Registry("aot-skopeo")
                aot["one_skopeo"].append(tools.skopeo(src_ref, f"{d.host}/{dest_repo}:{tag}")["wall"])
                d.stop()
                aot["sync"].append(tools.worker(src_ref, sync_refs[:1], flags=(f"-XX:AOTCache={cache}",), args=())["wall"])
        else:
            log("the AOT cache was not written; skipping its runs")

    # 5. peak RSS with a single 1 GiB layer, one destination
    mem = {}
    if big:
        big_ref = f"{src.host}/bench/big:v1"
        big_want = big["top"]["digest"]
        configs = [("(none)", ())] + [(c, tuple(c.split())) for c in args.mem_flags]
        log(f"peak RSS, 1 GiB layer: {len(configs)} worker configurations + skopeo, {args.mem_runs} runs each")
        for i in range(args.mem_runs):
            for label, flags in configs + [("skopeo", None)]:
                d = Registry("big")
                dref = f"{d.host}/mirror/big:v1"
                if flags is None:
                    r = tools.skopeo(big_ref, dref)
                else:
                    r = tools.worker(big_ref, [dref], flags=flags)
                verify(d.host, "mirror/big", "v1", big_want, f"{label}, 1 GiB layer")
                d.stop()
                mem.setdefault(label, []).append((r["rss_mb"], r["wall"]))
                log(f"  {label}: {r['rss_mb']:.0f} MB peak RSS, {r['wall']:.1f} s")

    src.stop()
    for x in sync:
        x.stop()
    changed = jar_fingerprint(JAR)[0] != jar_sha if os.path.exists(JAR) else True
    info["load_end"] = os.getloadavg()
    return {"info": info, "app": app, "big": big, "R": R, "startup": startup, "mem": mem, "cds_share": cds_share,
            "aot": aot, "jar_changed": changed}


def thread_cpu(cmd):
    """Runs cmd, polling /proc for each thread's CPU time; returns (wall, {thread name: cpu s}, stdout)."""
    tick = os.sysconf("SC_CLK_TCK")
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
    PROCS.append(p)
    seen = {}
    chunks = []
    import threading
    reader = threading.Thread(target=lambda: chunks.append(p.stdout.read()), daemon=True)
    reader.start()
    while p.poll() is None:
        try:
            for tid in os.listdir(f"/proc/{p.pid}/task"):
                try:
                    with open(f"/proc/{p.pid}/task/{tid}/stat") as f:
                        st = f.read()
                    name = st[st.index("(") + 1:st.rindex(")")]
                    fields = st[st.rindex(")") + 2:].split()
                    seen[tid] = (name, (int(fields[11]) + int(fields[12])) / tick)
                except (OSError, ValueError):
                    pass
        except OSError:
            pass
        time.sleep(0.05)
    wall = time.monotonic() - t0
    reader.join()
    PROCS.remove(p)
    by = {}
    for name, cpu in seen.values():
        name = re.sub(r"\d+", "N", name)
        by[name] = by.get(name, 0) + cpu
    return wall, by, (chunks[0] if chunks else b"").decode("utf-8", "replace")


def profile(args, java):
    """One one-destination copy of the app image (and one in-sync run) with JFR and a GC log; prints where time goes."""
    work = mkdtemp("profile")
    jar, jar_sha, _ = snapshot_jar(work)
    policy = os.path.join(work, "policy.json")
    with open(policy, "w") as f:
        json.dump({"default": [{"type": "insecureAcceptAnything"}]}, f)
    tools = Tools(java, jar, policy)
    app = cached_image("app", build_app_image)
    src = Registry("source")
    push_image(src.host, "bench/app", "v1", app)
    src_ref = f"{src.host}/bench/app:v1"
    out = []
    jfr_bin = os.path.join(os.path.dirname(java), "jfr")
    for case, jobs in (("one destination", 1), ("three destinations", 3), ("nothing to do", 0)):
        ds = [Registry(f"p{k}") for k in range(max(1, jobs))]
        refs = [f"{d.host}/mirror/app:v1" for d in ds]
        if jobs == 0:
            tools.worker(src_ref, refs)
        jfr = os.path.join(work, f"rec{jobs}.jfr")
        gclog = os.path.join(work, f"gc{jobs}.log")
        r = tools.worker(src_ref, refs, flags=(f"-XX:StartFlightRecording=filename={jfr},settings=profile",
                                              f"-Xlog:gc*:file={gclog}", f"-Xlog:startuptime"), args=("--json",))
        for d in ds:
            verify(d.host, "mirror/app", "v1", app["top"]["digest"], f"profile {case}")
        # same copy again without JFR, CPU per thread from /proc (JFR samples only threads running Java code)
        for d in ds:
            d.stop()
        ds = [Registry(f"q{k}") for k in range(max(1, jobs))]
        refs = [f"{d.host}/mirror/app:v1" for d in ds]
        if jobs == 0:
            tools.worker(src_ref, refs)
        wall, by, _ = thread_cpu([java, "-jar", jar, src_ref, *refs])
        tot = sum(by.values())
        out.append(f"## {case}: without JFR: wall {wall:.2f} s, CPU {tot:.2f} s; CPU by thread (from /proc): " +
                   ", ".join(f"{k} {v:.2f}s" for k, v in sorted(by.items(), key=lambda kv: -kv[1]) if v >= 0.02))
        out.append(f"## {case}: with JFR: wall {r['wall']:.2f} s, CPU {r['user']:.2f} user + {r['sys']:.2f} sys, "
                   f"peak RSS {r['rss_mb']:.0f} MB")
        pauses = [float(m.group(1)) for m in re.finditer(r"Pause.* ([\d.]+)ms", open(gclog).read())]
        out.append(f"GC: {len(pauses)} pauses, {sum(pauses):.0f} ms total; "
                   f"{sum(1 for l in open(gclog) if 'Pause Young' in l and 'ms' in l)} young pauses")
        p = subprocess.run([jfr_bin, "print", "--json", "--events", "jdk.ExecutionSample", jfr], capture_output=True, text=True)
        events = json.loads(p.stdout)["recording"]["events"] if p.returncode == 0 else []
        top, incl, threads = {}, {}, {}
        for e in events:
            frames = e["values"]["stackTrace"]["frames"] if e["values"].get("stackTrace") else []
            names = [f["method"]["type"]["name"] + "." + f["method"]["name"] for f in frames]
            if not names:
                continue
            top[names[0]] = top.get(names[0], 0) + 1
            for n in set(names):
                incl[n] = incl.get(n, 0) + 1
            t = e["values"]["sampledThread"]["javaName"] or "?"
            t = re.sub(r"\d+", "N", t)
            threads[t] = threads.get(t, 0) + 1
        n = len(events) or 1
        out.append(f"{len(events)} CPU samples; by thread: " +
                   ", ".join(f"{k} {v * 100 // n}%" for k, v in sorted(threads.items(), key=lambda kv: -kv[1])[:6]))
        out.append("top frames (self):")
        out += [f"  {v * 100 / n:5.1f}%  {k}" for k, v in sorted(top.items(), key=lambda kv: -kv[1])[:15]]
        out.append("frames anywhere on the stack (inclusive), ecr-mirror, HTTP client, digests:")
        out += [f"  {v * 100 / n:5.1f}%  {k}" for k, v in sorted(incl.items(), key=lambda kv: -kv[1])
                if k.startswith(("dev/ecrmirror", "jdk/internal/net/http", "sun/security")) and "$$Lambda" not in k][:20]
        out.append("")
        for d in ds:
            d.stop()
    # one-destination copy under a few JVM flag sets, CPU per thread (no JFR)
    jsa = os.path.join(work, "profile.jsa")
    sync = Registry("psync")
    sync_ref = f"{sync.host}/mirror/app:v1"
    tools.worker(src_ref, [sync_ref], flags=(f"-XX:ArchiveClassesAtExit={jsa}",))
    out.append("## one destination under JVM flag sets (CPU by thread from /proc)")
    for flags in ((), ("-XX:TieredStopAtLevel=1",), (f"-XX:SharedArchiveFile={jsa}",),
                  (f"-XX:SharedArchiveFile={jsa}", "-XX:TieredStopAtLevel=1"), ("-XX:+UseSerialGC", "-Xmx128m"),
                  ("-XX:CICompilerCount=2", "-XX:-TieredCompilation")):
        d = Registry("pf")
        wall, by, _ = thread_cpu([java, *flags, "-jar", jar, src_ref, f"{d.host}/mirror/app:v1"])
        verify(d.host, "mirror/app", "v1", app["top"]["digest"], "profile flags")
        d.stop()
        label = " ".join(f.replace(jsa, "worker.jsa") for f in flags) or "(none)"
        out.append(f"- `{label}`: wall {wall:.2f} s, CPU {sum(by.values()):.2f} s: " +
                   ", ".join(f"{k} {v:.2f}s" for k, v in sorted(by.items(), key=lambda kv: -kv[1]) if v >= 0.05))
    sync.stop()
    src.stop()
    print("\n".join(out))


def fmt_ratio(a, b):
    return f"{a / b:.2f}×" if b else "n/a"


def report(res, args):
    info, app, R, st, mem = res["info"], res["app"], res["R"], res["startup"], res["mem"]
    total = app["total_bytes"]
    rows = []

    def verdict(ok):
        return "✅ met" if ok else "❌ missed"

    w1, s1 = med(R["worker1"]), med(R["skopeo1"])
    rows.append(["one destination (wall s)", f"{w1:.2f}", f"{s1:.2f}", fmt_ratio(w1, s1), "≤ 1.3×", verdict(w1 <= 1.3 * s1)])
    w3, s3 = med(R["worker3"]), med(R["skopeo3"])
    rows.append(["three destinations (wall s; skopeo = 3 runs)", f"{w3:.2f}", f"{s3:.2f}", fmt_ratio(w3, s3), "≤ 0.8×",
                 verdict(w3 <= 0.8 * s3)])
    ws, ss = med(R["worker_sync"]), med(R["skopeo_sync"])
    rows.append(["nothing to do, one destination (wall s)", f"{ws:.2f}", f"{ss:.2f}", fmt_ratio(ws, ss), "≤ 2.2×",
                 verdict(ws <= 2.2 * ss)])
    ws3, ss3 = med(R["worker_sync3"]), med(R["skopeo_sync3"])
    rows.append(["nothing to do, three destinations (wall s; skopeo = 3 runs)", f"{ws3:.2f}", f"{ss3:.2f}",
                 fmt_ratio(ws3, ss3), "(info)", ""])
    bw, bs = med(R["src_worker3"]) / total, med(R["src_skopeo3"]) / total
    rows.append(["source bytes read, three destinations (× image size)", f"{bw:.2f}×", f"{bs:.2f}×",
                 fmt_ratio(bw, bs), "worker = 1.0×", verdict(abs(bw - 1.0) < 0.01)])
    mem_lines = []
    if mem:
        best = None
        for label, vals in mem.items():
            if label == "skopeo":
                continue
            rss = med([v[0] for v in vals])
            if rss <= 300 and best is None:
                best = (label, rss)
        none_rss = med([v[0] for v in mem["(none)"]])
        sk_rss = med([v[0] for v in mem["skopeo"]])
        rows.append(["peak RSS, 1 GiB layer, no JVM flags (MB)", f"{none_rss:.0f}", f"{sk_rss:.0f}",
                     fmt_ratio(none_rss, sk_rss), "≤ 300 MB", verdict(none_rss <= 300)])
        if best and best[0] != "(none)":
            rows.append([f"peak RSS, 1 GiB layer, `{best[0]}` (MB)", f"{best[1]:.0f}", f"{sk_rss:.0f}",
                         fmt_ratio(best[1], sk_rss), "≤ 300 MB", verdict(True)])
        for label, vals in mem.items():
            rss = [v[0] for v in vals]
            wall = [v[1] for v in vals]
            mem_lines.append(f"| {'skopeo' if label == 'skopeo' else '`' + label + '`'} | {med(rss):.0f} | "
                             f"{min(rss):.0f}–{max(rss):.0f} | {med(wall):.1f} |")

    out = []
    out.append("# mirror-worker benchmark\n")
    out.append(f"Command: `bash bench/worker/run.sh{' ' + ' '.join(args.argv) if args.argv else ''}` — "
               f"{datetime.datetime.now().strftime('%Y-%m-%d %H:%M')}\n")
    out.append(f"- machine: {info['nproc']} CPUs ({info['cpu']}), {info['mem_gib']:.1f} GiB RAM, Linux {info['kernel']}; "
               "registries on loopback, storage on local disk; "
               f"load average {info['load'][0]:.1f} at start, {info.get('load_end', (0,))[0]:.1f} at end (shared machine)")
    out.append(f"- java: {' / '.join(info['java'])}")
    out.append(f"- {info['skopeo']}; {info['registry']}")
    out.append(f"- worker: commit {info['commit']}, jar {info['jar']}")
    out.append(f"- image: OCI index, {len(PLATFORMS)} platforms ({', '.join(p['os'] + '/' + p['architecture'] + ('/' + p['variant'] if 'variant' in p else '') for p in PLATFORMS)}), "
               f"{app['layers']} gzip tar layers, {total / 1e6:.1f} MB total "
               f"({app['blob_bytes'] / 1e6:.1f} MB blobs + manifests; {app['uncompressed'] / 1e6:.0f} MB uncompressed)")
    if res["big"]:
        out.append(f"- big image: one platform, one {res['big']['blob_bytes'] / 2**30:.2f} GiB gzip layer")
    out.append(f"- each figure: median of {args.runs} runs (peak RSS: {args.mem_runs} runs); destinations are fresh "
               "empty registries per run; worker and skopeo alternate which goes first; every copy is checked "
               "(destination digest == source digest)\n")
    out.append("| case | ecr-mirror | skopeo | ratio | target | |")
    out.append("|---|---|---|---|---|---|")
    for r in rows:
        out.append("| " + " | ".join(r) + " |")
    out.append("")
    out.append("### Details\n")
    out.append("| measurement | ecr-mirror median (min–max) | skopeo median (min–max) |")
    out.append("|---|---|---|")

    def det(name, a, b, unit="s"):
        out.append(f"| {name} | {med(a):.2f} {unit} ({spread(a)}) | {med(b):.2f} {unit} ({spread(b)}) |")

    det("one destination, wall", R["worker1"], R["skopeo1"])
    det("one destination, CPU (user+sys)", R["cpu_worker1"], R["cpu_skopeo1"])
    det("one destination, peak RSS", R["rss_worker1"], R["rss_skopeo1"], "MB")
    det("three destinations, wall", R["worker3"], R["skopeo3"])
    det("three destinations, CPU (user+sys)", R["cpu_worker3"], R["cpu_skopeo3"])
    det("one destination, the registries' CPU (source + destination)", R["reg_cpu_worker1"], R["reg_cpu_skopeo1"])
    det("three destinations, the registries' CPU (source + 3 destinations)", R["reg_cpu_worker3"], R["reg_cpu_skopeo3"])
    det("nothing to do, one destination, wall", R["worker_sync"], R["skopeo_sync"])
    det("nothing to do, three destinations, wall", R["worker_sync3"], R["skopeo_sync3"])
    secs = [d["seconds"] for j in R["phases1"] for d in j.get("destinations", [])[:1] if "seconds" in d]
    if secs:
        out.append(f"| one destination, the worker's own `seconds` for the destination (`--json`; wall minus this ≈ "
                   f"JVM start, CLI, source resolve) | {med(secs):.2f} s ({spread(secs)}) | |")
    m = lambda xs: [x / total for x in xs]
    det("source bytes, one destination (× image)", m(R["src_worker1"]), m(R["src_skopeo1"]), "×")
    det("source bytes, three destinations (× image)", m(R["src_worker3"]), m(R["src_skopeo3"]), "×")
    rep = [x for x in R["worker_reported_src"] if isinstance(x, (int, float))]
    if rep:
        out.append(f"| source bytes the worker reports (`--json`), three destinations | {med(rep) / total:.3f}× | |")
    out.append("")
    out.append("### JVM start-up, nothing-to-do case (one destination)\n")
    out.append("| JVM flags | in-sync run, wall s | `--version` alone, wall s |")
    out.append("|---|---|---|")
    labels = {"default": "(none)", "cds": "`-XX:SharedArchiveFile=worker.jsa` (dynamic CDS archive)",
              "c1": "`-XX:TieredStopAtLevel=1`", "cds_c1": "CDS archive + `-XX:TieredStopAtLevel=1`"}
    for k, lbl in labels.items():
        if k in st:
            out.append(f"| {lbl} | {med(st[k]):.2f} ({spread(st[k])}) | {med(st['version_' + k]):.2f} ({spread(st['version_' + k])}) |")
    out.append("")
    if res["cds_share"]:
        sh, tot = res["cds_share"]
        out.append(f"CDS archive made by one in-sync run with `-XX:ArchiveClassesAtExit=bench/worker/.cache/worker.jsa` "
                   f"({st.get('jsa_mb', 0):.0f} MB); with it {sh} of {tot} loaded classes come from the archive "
                   "(base JDK archive + dynamic archive).\n")
    aot = res.get("aot")
    if aot:
        out.append("### With the JDK's AOT cache (`-XX:AOTCache`, JDK 25)\n")
        out.append(f"Trained by one copy with `-XX:AOTCacheOutput=bench/worker/.cache/worker.aot` ({aot['mb']:.0f} MB); "
                   "skopeo measured alongside, each copy to a fresh registry.\n")
        out.append("| case | ecr-mirror with the cache | skopeo | ratio |")
        out.append("|---|---|---|---|")
        out.append(f"| one destination, wall | {med(aot['one']):.2f} s ({spread(aot['one'])}) | "
                   f"{med(aot['one_skopeo']):.2f} s ({spread(aot['one_skopeo'])}) | {fmt_ratio(med(aot['one']), med(aot['one_skopeo']))} |")
        out.append(f"| nothing to do, one destination, wall | {med(aot['sync']):.2f} s ({spread(aot['sync'])}) | "
                   f"{med(R['skopeo_sync']):.2f} s | {fmt_ratio(med(aot['sync']), med(R['skopeo_sync']))} |")
        out.append("")
    if mem_lines:
        out.append("### Peak RSS, one 1 GiB layer, one destination\n")
        out.append("| JVM flags | peak RSS MB (median) | min–max | wall s |")
        out.append("|---|---|---|---|")
        out.extend(mem_lines)
        out.append("")
    return "\n".join(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--java", required=True)
    ap.add_argument("--runs", type=int, default=5, help="runs per figure (median); default 5")
    ap.add_argument("--mem-runs", type=int, default=3, help="runs per peak-RSS figure; default 3")
    ap.add_argument("--skip-mem", action="store_true", help="skip the 1 GiB peak-RSS case")
    ap.add_argument("--mem-flags", action="append",
                    help="a worker JVM flag set to try for peak RSS (repeatable); default: a built-in list")
    ap.add_argument("--no-rerun", action="store_true", help="do not re-run when the jar is rebuilt mid-run")
    ap.add_argument("--no-write", action="store_true", help="print only; do not write results.md")
    ap.add_argument("--profile", action="store_true",
                    help="instead of the benchmark: profile one worker copy (JFR, GC log) and print hot frames")
    args = ap.parse_args()
    args.argv = [a for a in sys.argv[1:] if a not in ("--java", args.java)]
    if not args.mem_flags:
        args.mem_flags = ["-XX:MaxRAM=2g -XX:MaxRAMPercentage=60", "-Xmx256m", "-XX:MaxRAMPercentage=1",
                          "-XX:+UseSerialGC -Xmx128m", "-XX:+UseSerialGC -Xmx64m"]
    os.chdir(ROOT)
    os.makedirs(CACHE, exist_ok=True)
    for var in ("JAVA_TOOL_OPTIONS", "_JAVA_OPTIONS", "JDK_JAVA_OPTIONS"):
        os.environ.pop(var, None)
    if args.profile:
        profile(args, args.java)
        return
    t0 = time.time()
    for attempt in range(2):
        res = run_bench(args, args.java)
        if not res["jar_changed"] or args.no_rerun or attempt == 1:
            break
        log("the worker jar was rebuilt during the run: running the benchmark again on the new jar")
        cleanup()
    text = report(res, args)
    if res["jar_changed"]:
        text += "\n**Note:** the worker jar changed during this run; figures are for the jar named above.\n"
    text += f"\nBenchmark wall time: {(time.time() - t0) / 60:.1f} min.\n"
    print(text)
    if not args.no_write:
        with open(os.path.join(HERE, "results.md"), "w") as f:
            f.write(text)
        log("wrote bench/worker/results.md")


if __name__ == "__main__":
    try:
        main()
    except BenchError as e:
        print(f"\nBENCHMARK FAILED: {e}", file=sys.stderr)
        sys.exit(1)
