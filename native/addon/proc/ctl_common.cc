#include "ctl_common.h"
#include "proc_stat.h"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <string>

namespace vantage::proc::ctl {

const char* ErrnoName(int err) {
  switch (err) {
    case EPERM: return "EPERM";
    case ESRCH: return "ESRCH";
    case EINVAL: return "EINVAL";
    case EACCES: return "EACCES";
    case ENOENT: return "ENOENT";
    case ENOSYS: return "ENOSYS";
    case EFAULT: return "EFAULT";
    case ENOMEM: return "ENOMEM";
    case EBUSY: return "EBUSY";
    case EMFILE: return "EMFILE";
    case ENFILE: return "ENFILE";
    case EIO: return "EIO";
    case EAGAIN: return "EAGAIN";
    case ENODEV: return "ENODEV";
    default: return "EIO";
  }
}

void ThrowErrno(Napi::Env env, int err, const std::string& what) {
  Napi::Error e = Napi::Error::New(env, std::string(ErrnoName(err)) + ": " + what + ": " + std::strerror(err));
  e.Set("code", Napi::String::New(env, ErrnoName(err)));
  e.Set("errno", Napi::Number::New(env, err));
  throw e;
}

void ThrowInvalid(Napi::Env env, const std::string& message) {
  Napi::Error e = Napi::Error::New(env, "EINVAL: " + message);
  e.Set("code", Napi::String::New(env, "EINVAL"));
  throw e;
}

long long IntArg(const Napi::CallbackInfo& info, size_t index, const char* name, long long lo, long long hi) {
  if (info.Length() <= index || !info[index].IsNumber()) ThrowInvalid(info.Env(), std::string(name) + " must be a number");
  double v = info[index].As<Napi::Number>().DoubleValue();
  if (v != v || v < static_cast<double>(lo) || v > static_cast<double>(hi) || v != static_cast<double>(static_cast<long long>(v))) {
    ThrowInvalid(info.Env(), std::string(name) + " must be an integer from " + std::to_string(lo) + " to " + std::to_string(hi));
  }
  return static_cast<long long>(v);
}

int PidArg(const Napi::CallbackInfo& info, size_t index) {
  return static_cast<int>(IntArg(info, index, "pid", 1, 4194304));
}

std::vector<int> ThreadsOf(int pid, int* err) {
  std::vector<int> tids;
  std::string dir = "/proc/" + std::to_string(pid) + "/task";
  DIR* d = opendir(dir.c_str());
  if (!d) {
    *err = errno == ENOENT ? ESRCH : errno;
    return tids;
  }
  while (dirent* ent = readdir(d)) {
    if (ent->d_name[0] < '0' || ent->d_name[0] > '9') continue;
    tids.push_back(std::atoi(ent->d_name));
  }
  closedir(d);
  *err = tids.empty() ? ESRCH : 0;
  return tids;
}

long long StartTicksOf(int pid) { return vantage_start_ticks(pid); }

}  // namespace vantage::proc::ctl
