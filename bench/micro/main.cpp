// tern-micro: run all or filter with --benchmark_filter=REGEX.
#include <benchmark/benchmark.h>

BENCHMARK_MAIN();
