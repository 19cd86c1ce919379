// The vantage_disk addon: each source file registers its own functions on the module's exports.
#pragma once
#include <napi.h>

namespace vantage::disk {
// walker*.cc: the parallel directory walker that builds a scan tree.
void InitWalker(Napi::Env env, Napi::Object exports);
// dupes*.cc: duplicate search (size groups, partial and full hashes) and reflink/dedupe ioctls.
void InitDupes(Napi::Env env, Napi::Object exports);
}  // namespace vantage::disk
