#!/bin/sh
# Runs each parser's fuzzer for a bounded time from the source root (the fuzzers name their input
# as a file of the tree, so that the files it names resolve there). Exits non-zero when any fuzzer
# finds a crash, a sanitizer report, a leak, an input slower than 10 s or one using over 2 GiB;
# the input is left in BUILD/fuzz-artifacts/.
#
# usage: tests/fuzz/smoke.sh BUILD SECONDS   (from the source root; cmake's fuzz_smoke runs it)
set -eu
build=$1
seconds=$2
dict=tests/fuzz/yaml.dict
mkdir -p "$build/fuzz-artifacts"

# fuzz NAME SEED_DIR...: the YAML files of the seed folders are copied (paths kept) into
# BUILD/fuzz-seeds/NAME/, fresh each run; what the fuzzer finds new is kept in BUILD/fuzz-corpus/.
fuzz() {
  name=$1
  shift
  seeds="$build/fuzz-seeds/$name"
  rm -rf "$seeds"
  mkdir -p "$seeds" "$build/fuzz-corpus/$name"
  find "$@" -type f \( -name '*.yaml' -o -name '*.yml' \) -exec cp --parents {} "$seeds" \;
  echo "== $name: $seconds s"
  "$build/$name" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -dict="$dict" \
    -print_final_stats=1 -artifact_prefix="$build/fuzz-artifacts/$name-" \
    "$build/fuzz-corpus/$name" "$seeds"
}

status=0
fuzz scenario_fuzzer scenarios tests/hostile/scenario || status=1
fuzz sweep_fuzzer results/studies tests/hostile/sweep || status=1
fuzz preset_fuzzer results/presets tests/hostile/preset || status=1
exit $status
