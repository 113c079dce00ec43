#!/usr/bin/env bash
# Tags benchmark: one mirror-worker run over a repository's 200 tags against one skopeo copy --all
# per tag, on local docker-registry processes. Run from anywhere after `mvn -B -DskipTests package`:
#
#   bash bench/tags/run.sh [--runs N] [--tags N] [--no-write]
#
# Prints a markdown table and writes it to bench/tags/results.md. See bench/tags/README.md.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$root"

java_feature() { # prints the feature version of the JDK at $1, or 0
  local rel="$1/release" v
  if [[ -r "$rel" ]]; then
    v="$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$rel")"
    echo "${v:-0}"
  elif [[ -x "$1/bin/java" ]]; then
    v="$("$1/bin/java" -version 2>&1 | sed -n '1s/.*version "\([0-9]*\).*/\1/p')"
    echo "${v:-0}"
  else
    echo 0
  fi
}

jdk=""
if [[ -n "${JAVA_HOME:-}" && "$(java_feature "$JAVA_HOME")" -ge 21 ]]; then
  jdk="$JAVA_HOME"
else
  for d in /usr/lib/jvm/*/; do
    d="${d%/}"
    if [[ -x "$d/bin/java" && "$(java_feature "$d")" -ge 21 ]]; then
      jdk="$d"
      break
    fi
  done
fi
if [[ -z "$jdk" ]]; then
  echo "run.sh: no JDK >= 21 found (set JAVA_HOME)" >&2
  exit 1
fi
export JAVA_HOME="$jdk"
export PATH="$JAVA_HOME/bin:$PATH"

for tool in python3 skopeo docker-registry /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "run.sh: $tool is not installed" >&2; exit 1; }
done

if [[ ! -f mirror-worker/target/mirror-worker.jar ]]; then
  echo "run.sh: building mirror-worker.jar" >&2
  mvn -B -q -DskipTests package -pl mirror-worker -am
fi

# The Python orchestrator stops every registry it starts; this trap makes sure it gets the chance
# (and kills it if it does not go) whatever ends this script.
child=""
cleanup() {
  if [[ -n "$child" ]] && kill -0 "$child" 2>/dev/null; then
    kill -TERM "$child" 2>/dev/null || true
    for _ in $(seq 1 50); do
      kill -0 "$child" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$child" 2>/dev/null || true
  fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

python3 "$here/bench.py" --java "$JAVA_HOME/bin/java" "$@" &
child=$!
set +e
wait "$child"
rc=$?
set -e
child=""
exit "$rc"
