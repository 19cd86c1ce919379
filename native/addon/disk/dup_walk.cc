// Duplicate search, stage 1: a parallel walk that keeps only files that can have a duplicate.
// statx without following symlinks; symlinks and special files are ignored; one-file-system stops
// at mount points; folders reached twice (nested roots, bind mounts) are read once. Candidates are
// regular files of at least minSize whose size is shared by at least two distinct inodes; they
// come back sorted by (size, dev, ino, path) so hard links of one inode are adjacent.
#include <dirent.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "dup_api.h"
#include "dup_task.h"

namespace vantage::disk {
namespace {

struct FileRec {
  uint64_t dev;
  uint64_t ino;
  uint64_t size;
  int64_t mtimeSec;
  uint32_t mtimeNsec;
  std::string path;
};

struct DirItem {
  std::string path;
  uint64_t rootDev;
};

class WalkState : public TaskBase {
 public:
  std::vector<std::string> roots;
  std::vector<std::string> excludes;
  uint64_t minSize = 1;
  bool oneFileSystem = false;
  unsigned threads = 4;

  std::atomic<uint64_t> filesSeen{0}, dirs{0}, errors{0}, bytesSeen{0};
  std::vector<FileRec> candidates;
  uint64_t sizeGroups = 0;
  std::vector<std::string> firstErrors;

  std::string Run() override {
    std::vector<std::vector<FileRec>> perThread(threads);
    for (const auto& root : roots) {
      struct statx sx;
      if (statx(AT_FDCWD, root.c_str(), AT_SYMLINK_NOFOLLOW, STATX_TYPE | STATX_INO | STATX_SIZE | STATX_MTIME, &sx) != 0) {
        Error(root, errno);
        continue;
      }
      uint64_t dev = makedev(sx.stx_dev_major, sx.stx_dev_minor);
      if (S_ISDIR(sx.stx_mode)) {
        if (MarkVisited(dev, sx.stx_ino)) queue_.push_back({root, dev});
      } else if (S_ISREG(sx.stx_mode)) {
        AddFile(perThread[0], root, sx);
      }
    }
    std::vector<std::thread> pool;
    for (unsigned t = 0; t < threads; t++) pool.emplace_back([this, &perThread, t] { Worker(perThread[t]); });
    for (auto& th : pool) th.join();

    std::vector<FileRec> all;
    size_t n = 0;
    for (auto& v : perThread) n += v.size();
    all.reserve(n);
    for (auto& v : perThread)
      for (auto& f : v) all.push_back(std::move(f));
    std::sort(all.begin(), all.end(), [](const FileRec& a, const FileRec& b) {
      if (a.size != b.size) return a.size < b.size;
      if (a.dev != b.dev) return a.dev < b.dev;
      if (a.ino != b.ino) return a.ino < b.ino;
      return a.path < b.path;
    });
    // The same path twice (a file root inside a folder root): keep one.
    all.erase(std::unique(all.begin(), all.end(),
                          [](const FileRec& a, const FileRec& b) {
                            return a.dev == b.dev && a.ino == b.ino && a.path == b.path;
                          }),
              all.end());
    for (size_t i = 0; i < all.size();) {
      size_t j = i + 1, inodes = 1;
      while (j < all.size() && all[j].size == all[i].size) {
        if (all[j].dev != all[j - 1].dev || all[j].ino != all[j - 1].ino) inodes++;
        j++;
      }
      if (inodes >= 2) {
        sizeGroups++;
        for (size_t k = i; k < j; k++) candidates.push_back(std::move(all[k]));
      }
      i = j;
    }
    return "";
  }

  Napi::Object Poll(Napi::Env env) override {
    Napi::Object o = Napi::Object::New(env);
    o.Set("filesSeen", static_cast<double>(filesSeen.load()));
    o.Set("dirs", static_cast<double>(dirs.load()));
    o.Set("errors", static_cast<double>(errors.load()));
    o.Set("bytesSeen", static_cast<double>(bytesSeen.load()));
    return o;
  }

  Napi::Value Result(Napi::Env env) override {
    size_t n = candidates.size();
    size_t blob = 0;
    for (auto& f : candidates) blob += f.path.size();
    auto paths = Napi::Buffer<char>::New(env, blob);
    auto ends = Napi::Uint32Array::New(env, n);
    auto dev = Napi::Float64Array::New(env, n);
    auto ino = Napi::Float64Array::New(env, n);
    auto size = Napi::Float64Array::New(env, n);
    auto mtimeSec = Napi::Float64Array::New(env, n);
    auto mtimeNsec = Napi::Uint32Array::New(env, n);
    size_t off = 0;
    for (size_t i = 0; i < n; i++) {
      const auto& f = candidates[i];
      std::memcpy(paths.Data() + off, f.path.data(), f.path.size());
      off += f.path.size();
      ends[i] = static_cast<uint32_t>(off);
      dev[i] = static_cast<double>(f.dev);
      ino[i] = static_cast<double>(f.ino);
      size[i] = static_cast<double>(f.size);
      mtimeSec[i] = static_cast<double>(f.mtimeSec);
      mtimeNsec[i] = f.mtimeNsec;
    }
    Napi::Object o = Poll(env);
    o.Set("cancelled", cancel.load());
    o.Set("sizeGroups", static_cast<double>(sizeGroups));
    o.Set("count", static_cast<double>(n));
    o.Set("paths", paths);
    o.Set("ends", ends);
    o.Set("dev", dev);
    o.Set("ino", ino);
    o.Set("size", size);
    o.Set("mtimeSec", mtimeSec);
    o.Set("mtimeNsec", mtimeNsec);
    Napi::Array errs = Napi::Array::New(env, firstErrors.size());
    for (size_t i = 0; i < firstErrors.size(); i++) errs.Set(i, Napi::Buffer<char>::Copy(env, firstErrors[i].data(), firstErrors[i].size()));
    o.Set("firstErrors", errs);
    return o;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<DirItem> queue_;
  unsigned busy_ = 0;
  std::set<std::pair<uint64_t, uint64_t>> visited_;

  bool MarkVisited(uint64_t dev, uint64_t ino) { return visited_.insert({dev, ino}).second; }

  void Error(const std::string& path, int err) {
    errors++;
    std::lock_guard<std::mutex> lock(errMu_);
    if (firstErrors.size() < 100) firstErrors.push_back(path + "\n" + ErrnoText(err));
  }
  std::mutex errMu_;

  bool Excluded(const std::string& name, const std::string& path) const {
    for (const auto& pat : excludes) {
      if (pat.find('/') != std::string::npos) {
        if (fnmatch(pat.c_str(), path.c_str(), 0) == 0) return true;
      } else if (fnmatch(pat.c_str(), name.c_str(), 0) == 0) {
        return true;
      }
    }
    return false;
  }

  void AddFile(std::vector<FileRec>& out, const std::string& path, const struct statx& sx) {
    filesSeen++;
    bytesSeen += sx.stx_size;
    if (sx.stx_size < minSize) return;
    out.push_back({makedev(sx.stx_dev_major, sx.stx_dev_minor), sx.stx_ino, sx.stx_size, sx.stx_mtime.tv_sec,
                   sx.stx_mtime.tv_nsec, path});
  }

  void Worker(std::vector<FileRec>& out) {
    std::vector<DirItem> found;
    for (;;) {
      DirItem item;
      {
        std::unique_lock<std::mutex> lock(mu_);
        cv_.wait(lock, [this] { return !queue_.empty() || busy_ == 0 || cancel.load(); });
        if (cancel.load() || queue_.empty()) {
          cv_.notify_all();
          return;
        }
        item = std::move(queue_.front());
        queue_.pop_front();
        busy_++;
      }
      found.clear();
      ReadDir(item, out, found);
      {
        std::lock_guard<std::mutex> lock(mu_);
        for (auto& d : found) queue_.push_back(std::move(d));
        busy_--;
      }
      cv_.notify_all();
    }
  }

  void ReadDir(const DirItem& item, std::vector<FileRec>& out, std::vector<DirItem>& found) {
    dirs++;
    int fd = open(item.path.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
      Error(item.path, errno);
      return;
    }
    DIR* d = fdopendir(fd);
    if (!d) {
      Error(item.path, errno);
      close(fd);
      return;
    }
    std::string prefix = item.path;
    if (prefix.empty() || prefix.back() != '/') prefix += '/';
    while (struct dirent* e = readdir(d)) {
      const char* name = e->d_name;
      if (name[0] == '.' && (name[1] == 0 || (name[1] == '.' && name[2] == 0))) continue;
      if (e->d_type == DT_LNK || e->d_type == DT_FIFO || e->d_type == DT_SOCK || e->d_type == DT_CHR ||
          e->d_type == DT_BLK)
        continue;
      std::string path = prefix + name;
      if (!excludes.empty() && Excluded(name, path)) continue;
      struct statx sx;
      if (statx(fd, name, AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT, STATX_TYPE | STATX_INO | STATX_SIZE | STATX_MTIME,
                &sx) != 0) {
        if (errno != ENOENT) Error(path, errno);
        continue;
      }
      if (S_ISREG(sx.stx_mode)) {
        AddFile(out, path, sx);
      } else if (S_ISDIR(sx.stx_mode)) {
        uint64_t dev = makedev(sx.stx_dev_major, sx.stx_dev_minor);
        if (oneFileSystem && dev != item.rootDev) continue;
        bool fresh;
        {
          std::lock_guard<std::mutex> lock(mu_);
          fresh = MarkVisited(dev, sx.stx_ino);
        }
        if (fresh) found.push_back({std::move(path), item.rootDev});
      }
    }
    closedir(d);
  }
};

}  // namespace

Napi::Value DupWalk(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsObject()) throw Napi::TypeError::New(env, "dupWalk(options)");
  Napi::Object opts = info[0].As<Napi::Object>();
  auto st = std::make_shared<WalkState>();
  Napi::Array roots = opts.Get("roots").As<Napi::Array>();
  for (uint32_t i = 0; i < roots.Length(); i++) st->roots.push_back(PathArg(roots.Get(i)));
  if (opts.Has("excludes") && opts.Get("excludes").IsArray()) {
    Napi::Array ex = opts.Get("excludes").As<Napi::Array>();
    for (uint32_t i = 0; i < ex.Length(); i++) st->excludes.push_back(ex.Get(i).As<Napi::String>().Utf8Value());
  }
  if (opts.Get("minSize").IsNumber()) st->minSize = static_cast<uint64_t>(opts.Get("minSize").As<Napi::Number>().DoubleValue());
  st->oneFileSystem = opts.Get("oneFileSystem").ToBoolean();
  if (opts.Get("threads").IsNumber()) st->threads = std::clamp(opts.Get("threads").As<Napi::Number>().Uint32Value(), 1u, 32u);
  return StartTask(env, st);
}

}  // namespace vantage::disk
