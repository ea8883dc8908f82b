# Shared by the benchmark scripts under results/ (sourced, not run). Expects $build (the build
# directory); sets $commsim and $work (a scratch directory removed on exit) and defines measure.

commsim=$(cd "$build" && pwd)/commsim
[ -x "$commsim" ] || { echo "run.sh: no commsim binary in $build" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "run.sh: GNU time (/usr/bin/time) is needed" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# measure LABEL COMMAND...: one line with the command's wall time and peak resident memory; the
# command's output is kept in $work/out.
measure() {
  label=$1
  shift
  /usr/bin/time -o "$work/time" -f "%e %M" "$@" > "$work/out" 2>&1 ||
    { echo "$label: failed"; cat "$work/out"; return 1; }
  read -r seconds kib < "$work/time"
  printf '%-62s %7.2f s wall %8d MiB peak\n' "$label" "$seconds" $((kib / 1024))
}
