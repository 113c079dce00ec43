#!/usr/bin/env bash
# Controller benchmark: 2,000 rows on local registries, controller vs sequential skopeo inspect.
# Usage: bash bench/controller/run.sh [ROWS] [SKOPEO_SAMPLE_ROWS]
# Needs: a JDK >= 21 (JAVA_HOME or PATH), docker-registry and skopeo on PATH.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
java="${JAVA_HOME:+$JAVA_HOME/bin/}java"
jar=controller/target/controller.jar
if [[ ! -f "$jar" ]]; then
  echo "building $jar..." >&2
  # Through the reactor, installing nothing into ~/.m2.
  mvn -B -q -pl controller -am package -DskipTests
fi
for tool in docker-registry skopeo; do
  command -v "$tool" >/dev/null || { echo "error: $tool is not on PATH" >&2; exit 2; }
done
exec "$java" --enable-native-access=ALL-UNNAMED -cp "$jar" bench/controller/ControllerBench.java "${1:-2000}" "${2:-100}"
