#!/usr/bin/env python3
"""A link-shaping TCP proxy for the WAN benchmark: what a registry across a region or behind a CDN
looks like from one client, on loopback.

Every connection is capped at --rate MB/s from the server to the client (the direction blobs
travel), and every request waits --delay ms before it goes on (a round trip: the first bytes of a
request on a connection, and the first bytes after an answer, are held that long). Connections are
independent, as on a real link: N connections carry N times the rate.

    python3 shaper.py --listen 127.0.0.1:0 --upstream 127.0.0.1:5000 --rate 20 --delay 20

Prints "listening HOST:PORT" once ready. Stdlib only.
"""

import argparse
import socket
import sys
import threading
import time

BUF = 64 * 1024


def relay_up(client, server, state, delay):
    """Client to server: each request's first bytes wait `delay` seconds (one round trip)."""
    try:
        while True:
            data = client.recv(BUF)
            if not data:
                break
            if state["answered"]:
                time.sleep(delay)
                state["answered"] = False
            server.sendall(data)
    except OSError:
        pass
    finally:
        try:
            server.shutdown(socket.SHUT_WR)
        except OSError:
            pass


def relay_down(server, client, state, rate):
    """Server to client, paced to `rate` bytes/s with a small burst; idle time earns no credit."""
    burst = 64 * 1024
    allowance = burst
    last = time.monotonic()
    buf = bytearray(BUF)
    view = memoryview(buf)
    try:
        while True:
            n = server.recv_into(buf)
            if n == 0:
                break
            state["answered"] = True
            sent = 0
            while sent < n:
                now = time.monotonic()
                allowance = min(burst, allowance + (now - last) * rate)
                last = now
                if allowance < 1024:
                    time.sleep((1024 - allowance) / rate)
                    continue
                k = int(min(n - sent, allowance))
                client.sendall(view[sent:sent + k])
                sent += k
                allowance -= k
    except OSError:
        pass
    finally:
        try:
            client.shutdown(socket.SHUT_WR)
        except OSError:
            pass


def serve(client, upstream, rate, delay):
    try:
        server = socket.create_connection(upstream)
    except OSError:
        client.close()
        return
    for s in (client, server):
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    state = {"answered": True}  # the connection's first request pays the delay too
    up = threading.Thread(target=relay_up, args=(client, server, state, delay), daemon=True)
    up.start()
    relay_down(server, client, state, rate)
    up.join()
    client.close()
    server.close()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--listen", default="127.0.0.1:0")
    ap.add_argument("--upstream", required=True)
    ap.add_argument("--rate", type=float, default=20.0, help="MB/s per connection, server to client (default 20)")
    ap.add_argument("--delay", type=float, default=20.0, help="ms each request waits (default 20)")
    args = ap.parse_args()
    lh, lp = args.listen.rsplit(":", 1)
    uh, up = args.upstream.rsplit(":", 1)
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((lh, int(lp)))
    listener.listen(128)
    print(f"listening {lh}:{listener.getsockname()[1]}", flush=True)
    rate = args.rate * 1e6
    delay = args.delay / 1000.0
    while True:
        client, _ = listener.accept()
        threading.Thread(target=serve, args=(client, (uh, int(up)), rate, delay), daemon=True).start()


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit(0)
