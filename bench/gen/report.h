// The run's figures: a table on stdout and, with --json, the JSON that
// bench/run.sh reads:
//   {"tool":"tern-gen","mode":..,"hugepages":..,"config":{..},"results":{..},
//    "diagnostics":{..}}
// results holds exactly the documented fields (README.md); diagnostics the
// generator's own counters that help to read them.
#pragma once

#include <string>

#include "generator.h"
#include "options.h"

namespace tern::gen {

// Prints the table; writes o.json when set. Throws if the file cannot be written.
void report(const Options& o, const RunResult& r);

}  // namespace tern::gen
