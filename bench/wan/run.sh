#!/usr/bin/env bash
# WAN benchmark: ecr-mirror's mirror-worker against skopeo copy --all with the source registry
# behind a link shaper (per-connection rate cap, per-request delay). Run from anywhere after
# `mvn -B -DskipTests package`:
#
#   bash bench/wan/run.sh [--runs N] [--rate MB_PER_S] [--delay MS]
#
# Prints a markdown table and writes it to bench/wan/results.md.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=../lib.sh
source "$here/../lib.sh"
bench_run "$here/bench.py" "$@"
