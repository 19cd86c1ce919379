// Functions the dupes*/dup_*/inotify*/fanotify* sources export; InitDupes (dupes.cc) registers them.
#pragma once
#include <napi.h>

namespace vantage::disk {
// dup_walk.cc: dupWalk({roots, minSize, oneFileSystem, excludes, threads}) -> task
Napi::Value DupWalk(const Napi::CallbackInfo& info);
// dup_hash.cc: dupHash({paths, ends, sizes, mode: 'partial'|'full', threads}) -> task
Napi::Value DupHash(const Napi::CallbackInfo& info);
// dup_reflink.cc: cloneFile(src, dst), dedupeRange(src, dst)
Napi::Value CloneFile(const Napi::CallbackInfo& info);
Napi::Value DedupeRange(const Napi::CallbackInfo& info);
// inotify_watch.cc / fanotify_watch.cc
void InitInotify(Napi::Env env, Napi::Object exports);
void InitFanotify(Napi::Env env, Napi::Object exports);
}  // namespace vantage::disk
