#include "disk.h"

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  vantage::disk::InitWalker(env, exports);
  vantage::disk::InitDupes(env, exports);
  return exports;
}

NODE_API_MODULE(vantage_disk, Init)
