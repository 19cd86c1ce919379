// Recursive inotify for the "watch" stream. inotifyOpen({root, maxWatches}) walks the tree and
// adds a watch per folder (first maxWatches folders, breadth first), then JS drains events with
// read() on its batching timer (the fd is non-blocking, so read() never waits). New folders get
// watches as they appear, and what they already hold is reported as created (it may have been
// written before the watch existed). A folder renamed inside the tree keeps its watches: the
// paths below it are rewritten when the MOVED_FROM/MOVED_TO pair arrives. IN_Q_OVERFLOW becomes
// an "overflow" event (the kernel dropped events; the view should rescan).
#include <dirent.h>
#include <fcntl.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <deque>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "dup_api.h"
#include "dup_task.h"

namespace vantage::disk {
namespace {

constexpr uint32_t kMask = IN_CREATE | IN_MODIFY | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_ATTRIB |
                           IN_CLOSE_WRITE | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR | IN_DONT_FOLLOW;

struct Event {
  double ts;
  std::string path;
  const char* kind;
  bool isDir;
};

double NowMs() {
  using namespace std::chrono;
  return static_cast<double>(duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count());
}

class Inotify {
 public:
  int fd = -1;
  size_t maxWatches = 8192;
  size_t foldersSeen = 0;
  bool countIncomplete = false;
  static constexpr size_t kCountBeyond = 100000;
  static constexpr std::chrono::milliseconds kCountBudget{300};
  std::string limitReason;
  std::unordered_map<int, std::string> wds;
  std::unordered_map<uint32_t, std::string> movedFrom;  // cookie -> old folder path
  std::vector<Event> pending;

  ~Inotify() { Close(); }
  void Close() {
    if (fd >= 0) close(fd);
    fd = -1;
  }

  // Adds watches below dir (breadth first) until the limit; counts every folder seen.
  void AddTree(const std::string& dir, bool reportContents) {
    std::deque<std::string> queue{dir};
    auto start = std::chrono::steady_clock::now();
    while (!queue.empty()) {
      // Past the limit, folders are only counted (for "first N of M"), within a budget: watching
      // "/" must not walk the whole disk on the caller's thread.
      if (wds.size() >= maxWatches &&
          (foldersSeen >= maxWatches + kCountBeyond || std::chrono::steady_clock::now() - start > kCountBudget)) {
        countIncomplete = true;
        return;
      }
      std::string cur = std::move(queue.front());
      queue.pop_front();
      foldersSeen++;
      bool watched = false;
      if (wds.size() < maxWatches) {
        int wd = inotify_add_watch(fd, cur.c_str(), kMask);
        if (wd >= 0) {
          wds[wd] = cur;
          watched = true;
        } else if (errno == ENOSPC && limitReason.empty()) {
          limitReason = "the kernel's inotify watch limit was reached (/proc/sys/fs/inotify/max_user_watches)";
        }
      }
      DIR* d = opendir(cur.c_str());
      if (!d) continue;
      while (struct dirent* e = readdir(d)) {
        const char* name = e->d_name;
        if (name[0] == '.' && (name[1] == 0 || (name[1] == '.' && name[2] == 0))) continue;
        std::string path = cur + (cur.back() == '/' ? "" : "/") + name;
        bool isDir = e->d_type == DT_DIR;
        if (e->d_type == DT_UNKNOWN) {
          struct stat st;
          isDir = lstat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
        }
        if (reportContents && watched) pending.push_back({NowMs(), path, "create", isDir});
        if (isDir) queue.push_back(std::move(path));
      }
      closedir(d);
    }
  }

  void Drain() {
    alignas(struct inotify_event) char buf[64 * 1024];
    for (;;) {
      ssize_t n = read(fd, buf, sizeof buf);
      if (n <= 0) return;  // EAGAIN: drained
      for (char* p = buf; p < buf + n;) {
        auto* ev = reinterpret_cast<struct inotify_event*>(p);
        p += sizeof(struct inotify_event) + ev->len;
        Handle(ev);
      }
    }
  }

 private:
  void Handle(const struct inotify_event* ev) {
    double ts = NowMs();
    if (ev->mask & IN_Q_OVERFLOW) {
      pending.push_back({ts, "", "overflow", false});
      return;
    }
    auto it = wds.find(ev->wd);
    if (it == wds.end()) return;
    if (ev->mask & IN_IGNORED) {
      wds.erase(it);
      return;
    }
    if (ev->mask & (IN_DELETE_SELF | IN_MOVE_SELF)) return;  // the parent reports it
    std::string path = it->second;
    if (ev->len && ev->name[0]) path += (path.back() == '/' ? "" : "/") + std::string(ev->name);
    bool isDir = ev->mask & IN_ISDIR;
    const char* kind = (ev->mask & IN_CREATE)        ? "create"
                       : (ev->mask & IN_DELETE)      ? "delete"
                       : (ev->mask & IN_MOVED_FROM)  ? "move-from"
                       : (ev->mask & IN_MOVED_TO)    ? "move-to"
                       : (ev->mask & IN_CLOSE_WRITE) ? "close-write"
                       : (ev->mask & IN_MODIFY)      ? "modify"
                                                     : "attrib";
    pending.push_back({ts, path, kind, isDir});
    if (!isDir) return;
    if (ev->mask & IN_MOVED_FROM) movedFrom[ev->cookie] = path;
    if (ev->mask & IN_MOVED_TO) {
      auto old = movedFrom.find(ev->cookie);
      if (old != movedFrom.end()) {
        Rename(old->second, path);
        movedFrom.erase(old);
        return;
      }
    }
    if (ev->mask & (IN_CREATE | IN_MOVED_TO)) AddTree(path, true);
  }

  void Rename(const std::string& from, const std::string& to) {
    for (auto& [wd, p] : wds) {
      if (p == from) p = to;
      else if (p.size() > from.size() && p.compare(0, from.size(), from) == 0 && p[from.size()] == '/')
        p = to + p.substr(from.size());
    }
  }
};

Napi::Array EventsToJs(Napi::Env env, std::vector<Event>& events) {
  Napi::Array out = Napi::Array::New(env, events.size());
  for (size_t i = 0; i < events.size(); i++) {
    Napi::Object o = Napi::Object::New(env);
    o.Set("ts", events[i].ts);
    o.Set("path", Napi::Buffer<char>::Copy(env, events[i].path.data(), events[i].path.size()));
    o.Set("kind", events[i].kind);
    o.Set("isDir", events[i].isDir);
    out.Set(i, o);
  }
  events.clear();
  return out;
}

Napi::Value InotifyOpen(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object opts = info[0].As<Napi::Object>();
  std::string root = PathArg(opts.Get("root"));
  auto w = std::make_shared<Inotify>();
  if (opts.Get("maxWatches").IsNumber()) w->maxWatches = opts.Get("maxWatches").As<Napi::Number>().Uint32Value();
  w->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (w->fd < 0) throw Napi::Error::New(env, "inotify_init1: " + ErrnoText(errno));
  struct stat st;
  if (stat(root.c_str(), &st) != 0) throw Napi::Error::New(env, root + ": " + ErrnoText(errno));
  if (!S_ISDIR(st.st_mode)) throw Napi::Error::New(env, root + " is not a folder");
  w->AddTree(root, false);
  if (w->wds.empty()) throw Napi::Error::New(env, "could not watch " + root + ": " + (w->limitReason.empty() ? "permission denied" : w->limitReason));
  auto mu = std::make_shared<std::mutex>();
  Napi::Object out = Napi::Object::New(env);
  out.Set("watches", static_cast<double>(w->wds.size()));
  out.Set("folders", static_cast<double>(w->foldersSeen));
  out.Set("foldersCounted", !w->countIncomplete);
  out.Set("limitReason", w->limitReason.empty() ? env.Null() : Napi::Value(Napi::String::New(env, w->limitReason)));
  out.Set("read", Napi::Function::New(env, [w](const Napi::CallbackInfo& i) -> Napi::Value {
            if (w->fd >= 0) w->Drain();
            return EventsToJs(i.Env(), w->pending);
          }));
  out.Set("watchCount", Napi::Function::New(env, [w](const Napi::CallbackInfo& i) -> Napi::Value {
            return Napi::Number::New(i.Env(), static_cast<double>(w->wds.size()));
          }));
  out.Set("close", Napi::Function::New(env, [w](const Napi::CallbackInfo& i) -> Napi::Value {
            w->Close();
            return i.Env().Undefined();
          }));
  return out;
}

}  // namespace

void InitInotify(Napi::Env env, Napi::Object exports) { exports.Set("inotifyOpen", Napi::Function::New(env, InotifyOpen)); }

}  // namespace vantage::disk
