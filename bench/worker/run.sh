#!/usr/bin/env bash
# Worker benchmark: ecr-mirror's mirror-worker against skopeo copy --all, on local docker-registry
# processes. Run from anywhere after `mvn -B -DskipTests package`:
#
#   bash bench/worker/run.sh [--runs N] [--mem-runs N] [--skip-mem] [--no-rerun] [--profile]
#
# Prints a markdown table and writes it to bench/worker/results.md. See bench/worker/README.md.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=../lib.sh
source "$here/../lib.sh"
bench_run "$here/bench.py" "$@"
