# Shared start-up of the benchmark run.sh scripts, sourced by them (not run on its own): it picks a
# JDK >= 21, checks the tools the benchmarks call, builds mirror-worker.jar if it is missing, and runs
# the caller's bench.py so that it is stopped whatever ends the script.
#
#   source "$here/../lib.sh"
#   bench_run "$here/bench.py" "$@"

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

# Runs python3 on the orchestrator at $1 with the chosen JDK and the remaining arguments, from the
# repository root, and exits with its status.
bench_run() {
  local script="$1"
  shift
  cd "$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

  local jdk="" d
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

  local tool
  for tool in python3 skopeo docker-registry /usr/bin/time; do
    command -v "$tool" >/dev/null || { echo "run.sh: $tool is not installed" >&2; exit 1; }
  done

  if [[ ! -f mirror-worker/target/mirror-worker.jar ]]; then
    echo "run.sh: building mirror-worker.jar" >&2
    mvn -B -q -DskipTests package -pl mirror-worker -am
  fi

  # The Python orchestrator stops every registry it starts; this trap makes sure it gets the chance
  # (and kills it if it does not go) whatever ends this script. `child` is global: the EXIT trap
  # reads it after this function has returned.
  child=""
  trap bench_cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM

  python3 "$script" --java "$JAVA_HOME/bin/java" "$@" &
  child=$!
  local rc
  set +e
  wait "$child"
  rc=$?
  set -e
  child=""
  exit "$rc"
}

bench_cleanup() {
  if [[ -n "${child:-}" ]] && kill -0 "$child" 2>/dev/null; then
    kill -TERM "$child" 2>/dev/null || true
    for _ in $(seq 1 50); do
      kill -0 "$child" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$child" 2>/dev/null || true
  fi
}
