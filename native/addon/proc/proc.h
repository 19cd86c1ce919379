// The vantage_proc addon: each source file registers its own functions on the module's exports.
#pragma once
#include <napi.h>

namespace vantage::proc {
// reader.cc: batch reads of /proc (every process, the threads of one process).
void InitReader(Napi::Env env, Napi::Object exports);
// control.cc: the scheduling and limit syscalls Node lacks (priority, ioprio, affinity, prlimit).
void InitControl(Napi::Env env, Napi::Object exports);
}  // namespace vantage::proc
