// Duplicate search, stages 2 and 3: hashing candidate files on a small thread pool.
//  partial: XXH64 of the first 4 KiB and the last 4 KiB (files up to 8 KiB are read whole, and
//           then their full hash is known too, so they skip stage 3);
//  full:    a 128-bit hash in one pass over 1 MiB reads with POSIX_FADV_SEQUENTIAL: Wide128
//           (dup_wide128.h, XXH3's long-input construction) above 8 KiB; XXH64 with two seeds
//           up to 8 KiB (as the partial stage computes it for files it reads whole).
// Equal full hashes are taken as equal content (no byte compare; documented in the service).
// Files are processed largest first in "full" (balances the pool) and in inode order in
// "partial" (fewer seeks on a cold cache). A file whose length differs from the walk is "changed".
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <numeric>
#include <thread>
#include <vector>

#include "dup_api.h"
#include "dup_task.h"
#include "dup_wide128.h"
#include "dup_xxh64.h"

namespace vantage::disk {
namespace {

constexpr size_t kBlock = 4096;
constexpr size_t kChunk = 1 << 20;
constexpr uint64_t kSeedHi = 0;
constexpr uint64_t kSeedLo = 0x9E3779B97F4A7C15ULL;

enum Status : uint8_t { kPending = 0, kOk = 1, kError = 2, kChanged = 3 };

std::string Hex64(uint64_t v) {
  static const char* d = "0123456789abcdef";
  std::string s(16, '0');
  for (int i = 15; i >= 0; i--, v >>= 4) s[i] = d[v & 15];
  return s;
}

class HashState : public TaskBase {
 public:
  bool full = false;
  unsigned threads = 4;
  std::vector<std::string> paths;
  std::vector<uint64_t> sizes;
  std::vector<uint64_t> inos;

  std::vector<uint8_t> status;
  std::vector<uint64_t> partial, hi, lo;
  std::vector<uint8_t> fullKnown;
  std::vector<std::string> errors;  // per index, only for failures
  std::atomic<uint64_t> done{0}, bytesHashed{0};

  std::string Run() override {
    size_t n = paths.size();
    status.assign(n, kPending);
    partial.assign(n, 0);
    hi.assign(n, 0);
    lo.assign(n, 0);
    fullKnown.assign(n, 0);
    errors.assign(n, std::string());
    std::vector<size_t> order(n);
    std::iota(order.begin(), order.end(), 0);
    if (full) {
      std::stable_sort(order.begin(), order.end(), [this](size_t a, size_t b) { return sizes[a] > sizes[b]; });
    } else if (inos.size() == n) {
      std::stable_sort(order.begin(), order.end(), [this](size_t a, size_t b) { return inos[a] < inos[b]; });
    }
    std::atomic<size_t> next{0};
    std::vector<std::thread> pool;
    unsigned t = std::max(1u, std::min<unsigned>(threads, static_cast<unsigned>(n)));
    for (unsigned i = 0; i < t; i++) {
      pool.emplace_back([this, &next, &order, n] {
        std::vector<uint8_t> buf(full ? kChunk : 2 * kBlock);
        for (;;) {
          if (cancel.load()) return;
          size_t k = next.fetch_add(1);
          if (k >= n) return;
          size_t idx = order[k];
          if (full) HashFull(idx, buf);
          else HashPartial(idx, buf);
          done++;
        }
      });
    }
    for (auto& th : pool) th.join();
    return "";
  }

  Napi::Object Poll(Napi::Env env) override {
    Napi::Object o = Napi::Object::New(env);
    o.Set("done", static_cast<double>(done.load()));
    o.Set("bytesHashed", static_cast<double>(bytesHashed.load()));
    return o;
  }

  Napi::Value Result(Napi::Env env) override {
    size_t n = paths.size();
    Napi::Object o = Poll(env);
    o.Set("cancelled", cancel.load());
    auto st = Napi::Uint8Array::New(env, n);
    Napi::Array part = Napi::Array::New(env, n);
    Napi::Array fullHex = Napi::Array::New(env, n);
    Napi::Array errs = Napi::Array::New(env, n);
    for (size_t i = 0; i < n; i++) {
      st[i] = status[i];
      part.Set(i, status[i] == kOk && !full ? Napi::Value(Napi::String::New(env, Hex64(partial[i]))) : env.Null());
      fullHex.Set(i, status[i] == kOk && fullKnown[i] ? Napi::Value(Napi::String::New(env, Hex64(hi[i]) + Hex64(lo[i])))
                                                    : env.Null());
      errs.Set(i, errors[i].empty() ? env.Null() : Napi::Value(Napi::String::New(env, errors[i])));
    }
    o.Set("status", st);
    o.Set("partial", part);
    o.Set("full", fullHex);
    o.Set("errors", errs);
    return o;
  }

 private:
  int Open(size_t idx) {
    int fd = open(paths[idx].c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOATIME);
    if (fd < 0 && errno == EPERM) fd = open(paths[idx].c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) Fail(idx, errno);
    return fd;
  }
  void Fail(size_t idx, int err) {
    status[idx] = kError;
    errors[idx] = ErrnoText(err);
  }
  // Reads exactly len bytes at off; false on error or early end of file (the file shrank).
  bool ReadAt(int fd, size_t idx, uint8_t* p, size_t len, uint64_t off) {
    while (len) {
      ssize_t r = pread(fd, p, len, static_cast<off_t>(off));
      if (r < 0) {
        if (errno == EINTR) continue;
        Fail(idx, errno);
        return false;
      }
      if (r == 0) {
        status[idx] = kChanged;
        errors[idx] = "the file is shorter than when it was found";
        return false;
      }
      p += r, len -= static_cast<size_t>(r), off += static_cast<uint64_t>(r);
      bytesHashed += static_cast<uint64_t>(r);
    }
    return true;
  }
  bool GrewSince(int fd, size_t idx) {
    uint8_t extra;
    ssize_t r = pread(fd, &extra, 1, static_cast<off_t>(sizes[idx]));
    if (r > 0) {
      status[idx] = kChanged;
      errors[idx] = "the file is longer than when it was found";
      return true;
    }
    return false;
  }

  void HashPartial(size_t idx, std::vector<uint8_t>& buf) {
    int fd = Open(idx);
    if (fd < 0) return;
    uint64_t size = sizes[idx];
    Xxh64 h(kSeedHi);
    if (size <= 2 * kBlock) {
      if (ReadAt(fd, idx, buf.data(), size, 0) && !GrewSince(fd, idx)) {
        h.Update(buf.data(), size);
        partial[idx] = h.Digest();
        hi[idx] = partial[idx];
        lo[idx] = Xxh64::Hash(buf.data(), size, kSeedLo);
        fullKnown[idx] = 1;
        status[idx] = kOk;
      }
    } else if (ReadAt(fd, idx, buf.data(), kBlock, 0) && ReadAt(fd, idx, buf.data() + kBlock, kBlock, size - kBlock) &&
               !GrewSince(fd, idx)) {
      h.Update(buf.data(), 2 * kBlock);
      partial[idx] = h.Digest();
      status[idx] = kOk;
    }
    close(fd);
  }

  void HashFull(size_t idx, std::vector<uint8_t>& buf) {
    int fd = Open(idx);
    if (fd < 0) return;
    posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    uint64_t size = sizes[idx];
    bool ok = size <= 2 * kBlock ? SmallFull(fd, idx, buf) : WideFull(fd, idx, buf);
    if (ok && !GrewSince(fd, idx)) {
      fullKnown[idx] = 1;
      status[idx] = kOk;
    }
    close(fd);
  }

  // Up to 8 KiB: the same two XXH64 seeds the partial stage uses when it reads a file whole, so a
  // file's full hash does not depend on which stage computed it.
  bool SmallFull(int fd, size_t idx, std::vector<uint8_t>& buf) {
    uint64_t size = sizes[idx];
    if (!ReadAt(fd, idx, buf.data(), size, 0)) return false;
    hi[idx] = Xxh64::Hash(buf.data(), size, kSeedHi);
    lo[idx] = Xxh64::Hash(buf.data(), size, kSeedLo);
    return true;
  }

  // Larger: Wide128 over 1 MiB reads (offsets are multiples of 1 MiB, so stripes never straddle
  // two reads), then the last 64 bytes of the file.
  bool WideFull(int fd, size_t idx, std::vector<uint8_t>& buf) {
    uint64_t size = sizes[idx], off = 0;
    Wide128 w(size);
    size_t lastLen = 0;
    while (off < size) {
      if (cancel.load()) return false;
      size_t want = static_cast<size_t>(std::min<uint64_t>(kChunk, size - off));
      if (!ReadAt(fd, idx, buf.data(), want, off)) return false;
      w.Feed(buf.data(), want);
      off += want;
      lastLen = want;
    }
    uint8_t tail[Wide128::kStripe];
    if (lastLen >= Wide128::kStripe) {
      std::memcpy(tail, buf.data() + lastLen - Wide128::kStripe, Wide128::kStripe);
    } else if (!ReadAt(fd, idx, tail, Wide128::kStripe, size - Wide128::kStripe)) {
      return false;
    }
    w.Finish(tail, &hi[idx], &lo[idx]);
    return true;
  }
};

}  // namespace

Napi::Value DupHash(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsObject()) throw Napi::TypeError::New(env, "dupHash(options)");
  Napi::Object opts = info[0].As<Napi::Object>();
  auto st = std::make_shared<HashState>();
  auto blob = opts.Get("paths").As<Napi::Buffer<char>>();
  auto ends = opts.Get("ends").As<Napi::Uint32Array>();
  auto sizes = opts.Get("sizes").As<Napi::Float64Array>();
  if (ends.ElementLength() != sizes.ElementLength()) throw Napi::RangeError::New(env, "ends and sizes differ in length");
  size_t n = ends.ElementLength();
  uint32_t start = 0;
  for (size_t i = 0; i < n; i++) {
    if (ends[i] < start || ends[i] > blob.Length()) throw Napi::RangeError::New(env, "bad path offsets");
    st->paths.emplace_back(blob.Data() + start, ends[i] - start);
    st->sizes.push_back(static_cast<uint64_t>(sizes[i]));
    start = ends[i];
  }
  if (opts.Has("inos") && opts.Get("inos").IsTypedArray()) {
    auto inos = opts.Get("inos").As<Napi::Float64Array>();
    if (inos.ElementLength() == n)
      for (size_t i = 0; i < n; i++) st->inos.push_back(static_cast<uint64_t>(inos[i]));
  }
  std::string mode = opts.Get("mode").As<Napi::String>().Utf8Value();
  if (mode != "partial" && mode != "full") throw Napi::TypeError::New(env, "mode is 'partial' or 'full'");
  st->full = mode == "full";
  if (opts.Get("threads").IsNumber()) st->threads = std::clamp(opts.Get("threads").As<Napi::Number>().Uint32Value(), 1u, 32u);
  return StartTask(env, st);
}

}  // namespace vantage::disk
