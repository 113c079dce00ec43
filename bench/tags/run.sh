#!/usr/bin/env bash
# Tags benchmark: one mirror-worker run over a repository's 200 tags against one skopeo copy --all
# per tag, on local docker-registry processes. Run from anywhere after `mvn -B -DskipTests package`:
#
#   bash bench/tags/run.sh [--runs N] [--tags N] [--no-write]
#
# Prints a markdown table and writes it to bench/tags/results.md. See bench/tags/README.md.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=../lib.sh
source "$here/../lib.sh"
bench_run "$here/bench.py" "$@"
