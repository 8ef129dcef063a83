// What the benchmark reads off processes and samples: memory and CPU time
// from /proc, and percentiles.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace docbus::bench {

// A "Vm…:" field of /proc/<pid>/status in KiB (e.g. "VmHWM:", peak RSS);
// -1 when unreadable.
long RssKiB(pid_t pid, const char* field);
// User + system CPU seconds process `pid` has used so far.
double CpuSeconds(pid_t pid);
// The same for this process.
double OwnCpuSeconds();
// The first process whose name (/proc/<pid>/comm) is `name`; -1 if none.
pid_t FindProcess(const std::string& name);
// The p-quantile (0..1) of `v`; 0 when empty.
double Percentile(std::vector<double> v, double p);

}  // namespace docbus::bench
