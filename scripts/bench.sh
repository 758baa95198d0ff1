#!/usr/bin/env bash
# Reproduces the performance figures of the README and the issue notes.
# Each line is one `csamsync bench` run: an emulator runs as a separate
# process on loopback (no rate limit, default concurrency limit 2), so the
# peak RSS reported is csamsync's own.
#
#   scripts/bench.sh                 # 2,000 and 20,000 hosts into SQLite, transfer-only baselines, 1% delta
#   scripts/bench.sh scale           # 10,000 and 100,000 hosts into SQLite and PostgreSQL
#   CSAMSYNC_BENCH_POSTGRES_DSN=postgres://postgres@127.0.0.1:5432/test?sslmode=disable scripts/bench.sh scale
set -euo pipefail
cd "$(dirname "$0")/.."
bin=$(mktemp -d)/csamsync
go build -o "$bin" ./cmd/csamsync
pg=${CSAMSYNC_BENCH_POSTGRES_DSN:-postgres://postgres@127.0.0.1:5432/test?sslmode=disable}

echo "# $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(go version | cut -d' ' -f3)"
case "${1:-default}" in
default)
  for n in 2000 20000; do
    "$bin" bench --assets "$n" --mode transfer
    "$bin" bench --assets "$n" --mode sync
  done
  "$bin" bench --assets 20000 --mode sync --delta-percent 1
  ;;
scale)
  # The PostgreSQL runs also print a delta run after 1% of hosts changed.
  for n in 10000 100000; do
    "$bin" bench --assets "$n" --mode transfer
    "$bin" bench --assets "$n" --mode sync
    "$bin" bench --assets "$n" --mode sync --db "$pg" --delta-percent 1
  done
  ;;
*)
  echo "usage: $0 [default|scale]" >&2
  exit 2
  ;;
esac
