// Registers the duplicate engine (dup_walk.cc, dup_hash.cc), the reflink ioctls (dup_reflink.cc)
// and the file-activity sources (inotify_watch.cc, fanotify_watch.cc) on the vantage_disk addon.
#include "disk.h"
#include "dup_api.h"

void vantage::disk::InitDupes(Napi::Env env, Napi::Object exports) {
  exports.Set("dupWalk", Napi::Function::New(env, DupWalk));
  exports.Set("dupHash", Napi::Function::New(env, DupHash));
  exports.Set("cloneFile", Napi::Function::New(env, CloneFile));
  exports.Set("dedupeRange", Napi::Function::New(env, DedupeRange));
  InitInotify(env, exports);
  InitFanotify(env, exports);
}
