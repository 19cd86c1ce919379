#include "proc.h"

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  vantage::proc::InitReader(env, exports);
  vantage::proc::InitControl(env, exports);
  return exports;
}

NODE_API_MODULE(vantage_proc, Init)
