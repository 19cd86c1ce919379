// Reflinks for duplicate actions: cloneFile makes dst share src's extents (FICLONE); dedupeRange
// asks the file system to share the extents of two files whose content is equal (FIDEDUPERANGE,
// which compares the bytes itself under lock). Both return {ok} or {ok:false, errno, message}:
// EOPNOTSUPP / EINVAL / EXDEV mean the file system (or the pair) cannot share extents.
#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <vector>

#include "dup_api.h"
#include "dup_task.h"

namespace vantage::disk {
namespace {

Napi::Object Fail(Napi::Env env, int err) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("ok", false);
  o.Set("errno", ErrnoName(err));
  o.Set("message", ErrnoText(err));
  return o;
}

}  // namespace

// cloneFile(src, dst): dst must not exist; it is created 0600 and removed again on failure.
Napi::Value CloneFile(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string src = PathArg(info[0]), dst = PathArg(info[1]);
  int in = open(src.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (in < 0) return Fail(env, errno);
  int out = open(dst.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (out < 0) {
    int err = errno;
    close(in);
    return Fail(env, err);
  }
  int rc = ioctl(out, FICLONE, in);
  int err = errno;
  close(in);
  close(out);
  if (rc != 0) {
    unlink(dst.c_str());
    return Fail(env, err);
  }
  Napi::Object o = Napi::Object::New(env);
  o.Set("ok", true);
  return o;
}

// dedupeRange(src, dst): shares all of src's extents with dst when their bytes are equal.
Napi::Value DedupeRange(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string src = PathArg(info[0]), dst = PathArg(info[1]);
  int in = open(src.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (in < 0) return Fail(env, errno);
  int out = open(dst.c_str(), O_RDWR | O_CLOEXEC | O_NOFOLLOW);
  if (out < 0) {
    int err = errno;
    close(in);
    return Fail(env, err);
  }
  struct stat st;
  fstat(in, &st);
  uint64_t size = static_cast<uint64_t>(st.st_size), off = 0, deduped = 0;
  bool differs = false;
  int err = 0;
  std::vector<uint8_t> mem(sizeof(file_dedupe_range) + sizeof(file_dedupe_range_info));
  auto* range = reinterpret_cast<file_dedupe_range*>(mem.data());
  while (off < size) {
    std::fill(mem.begin(), mem.end(), 0);
    range->src_offset = off;
    range->src_length = std::min<uint64_t>(size - off, 16ULL << 20);
    range->dest_count = 1;
    range->info[0].dest_fd = out;
    range->info[0].dest_offset = off;
    if (ioctl(in, FIDEDUPERANGE, range) != 0) {
      err = errno;
      break;
    }
    if (range->info[0].status < 0) {
      err = -range->info[0].status;
      break;
    }
    if (range->info[0].status == FILE_DEDUPE_RANGE_DIFFERS) {
      differs = true;
      break;
    }
    if (range->info[0].bytes_deduped == 0) break;
    deduped += range->info[0].bytes_deduped;
    off += range->info[0].bytes_deduped;
  }
  close(in);
  close(out);
  if (err) return Fail(env, err);
  Napi::Object o = Napi::Object::New(env);
  o.Set("ok", !differs);
  o.Set("bytesDeduped", static_cast<double>(deduped));
  if (differs) {
    o.Set("errno", "DIFFERS");
    o.Set("message", "the contents differ");
  }
  return o;
}

}  // namespace vantage::disk
