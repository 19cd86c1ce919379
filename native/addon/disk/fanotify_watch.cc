// System-wide file activity for the "fileAccess" stream: fanotify on one mount (FAN_MARK_MOUNT)
// for opens, modifications and close-after-write. Needs CAP_SYS_ADMIN; without it fanotifyOpen
// throws with code EPERM. Each event carries an fd to the file: its path comes from
// /proc/self/fd/N, the actor's name from /proc/PID/comm; events caused by this process are dropped.
#include <fcntl.h>
#include <sys/fanotify.h>
#include <unistd.h>

#include <poll.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <unordered_map>
#include <vector>

#include "dup_api.h"
#include "dup_task.h"

namespace vantage::disk {
namespace {

constexpr size_t kMaxPending = 50000;

struct Activity {
  double ts;
  std::string path;
  const char* kind;
  int pid;
  std::string comm;
};

double NowMs() {
  using namespace std::chrono;
  return static_cast<double>(duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count());
}

std::string Comm(int pid);

// A reader thread takes events as they come, so the actor's /proc/PID/comm is read while the
// process is most likely still there (a short-lived writer is gone by the next JS batch); the
// last name seen per pid stands in when the process has already exited.
struct Fan {
  int fd = -1;
  int stopPipe[2] = {-1, -1};
  std::thread reader;
  std::mutex mu;
  std::vector<Activity> pending;
  std::unordered_map<int, std::string> comms;
  std::atomic<bool> stopping{false};

  ~Fan() { Close(); }

  void Start() {
    if (pipe2(stopPipe, O_CLOEXEC | O_NONBLOCK) != 0) throw std::runtime_error("pipe2");
    reader = std::thread([this] { Loop(); });
  }

  void Close() {
    if (reader.joinable()) {
      stopping = true;
      ssize_t ignored = write(stopPipe[1], "x", 1);
      (void)ignored;
      reader.join();
    }
    for (int* f : {&fd, &stopPipe[0], &stopPipe[1]}) {
      if (*f >= 0) close(*f);
      *f = -1;
    }
  }

  // The name now (a process can exec between events); the last name seen once it has exited.
  std::string CommOf(int pid) {
    std::string c = Comm(pid);
    if (!c.empty()) {
      if (comms.size() > 4096) comms.clear();
      comms[pid] = c;
      return c;
    }
    auto it = comms.find(pid);
    return it == comms.end() ? "" : it->second;
  }

  void Loop() {
    alignas(struct fanotify_event_metadata) char buf[64 * 1024];
    int self = getpid();
    struct pollfd fds[2] = {{fd, POLLIN, 0}, {stopPipe[0], POLLIN, 0}};
    while (!stopping.load()) {
      if (poll(fds, 2, -1) < 0) {
        if (errno == EINTR) continue;
        return;
      }
      if (fds[1].revents) return;
      ssize_t n = read(fd, buf, sizeof buf);
      if (n <= 0) continue;
      double ts = NowMs();
      std::vector<Activity> got;
      auto* m = reinterpret_cast<struct fanotify_event_metadata*>(buf);
      for (; FAN_EVENT_OK(m, n); m = FAN_EVENT_NEXT(m, n)) {
        if (m->vers != FANOTIFY_METADATA_VERSION) continue;
        if (m->mask & FAN_Q_OVERFLOW) {
          got.push_back({ts, "", "overflow", 0, ""});
          continue;
        }
        if (m->fd < 0) continue;
        if (m->pid != self) {
          char link[64], target[4096];
          snprintf(link, sizeof link, "/proc/self/fd/%d", m->fd);
          ssize_t len = readlink(link, target, sizeof target);
          if (len > 0) {
            const char* kind = (m->mask & FAN_CLOSE_WRITE) ? "close-write" : (m->mask & FAN_MODIFY) ? "modify" : "open";
            got.push_back({ts, std::string(target, static_cast<size_t>(len)), kind, m->pid, CommOf(m->pid)});
          }
        }
        close(m->fd);
      }
      std::lock_guard<std::mutex> lock(mu);
      if (pending.size() < kMaxPending) {
        for (auto& a : got) pending.push_back(std::move(a));
      } else if (pending.empty() || std::string(pending.back().kind) != "overflow") {
        pending.push_back({ts, "", "overflow", 0, ""});
      }
    }
  }
};

std::string Comm(int pid) {
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/comm", pid);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return "";
  char buf[64];
  ssize_t n = read(fd, buf, sizeof buf);
  close(fd);
  if (n <= 0) return "";
  std::string s(buf, static_cast<size_t>(n));
  while (!s.empty() && s.back() == '\n') s.pop_back();
  return s;
}

Napi::Value FanotifyOpen(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string path = PathArg(info[0]);
  auto f = std::make_shared<Fan>();
  f->fd = fanotify_init(FAN_CLASS_NOTIF | FAN_CLOEXEC | FAN_NONBLOCK, O_RDONLY | O_LARGEFILE | O_CLOEXEC);
  if (f->fd < 0) {
    int err = errno;
    Napi::Error e = Napi::Error::New(env, "fanotify_init: " + ErrnoText(err));
    e.Set("code", ErrnoName(err));
    throw e;
  }
  if (fanotify_mark(f->fd, FAN_MARK_ADD | FAN_MARK_MOUNT, FAN_OPEN | FAN_CLOSE_WRITE | FAN_MODIFY, AT_FDCWD,
                    path.c_str()) != 0) {
    int err = errno;
    Napi::Error e = Napi::Error::New(env, "fanotify_mark " + path + ": " + ErrnoText(err));
    e.Set("code", ErrnoName(err));
    throw e;
  }
  f->Start();
  Napi::Object out = Napi::Object::New(env);
  out.Set("read", Napi::Function::New(env, [f](const Napi::CallbackInfo& i) -> Napi::Value {
            Napi::Env e = i.Env();
            std::vector<Activity> got;
            {
              std::lock_guard<std::mutex> lock(f->mu);
              got.swap(f->pending);
            }
            Napi::Array arr = Napi::Array::New(e, got.size());
            for (size_t k = 0; k < got.size(); k++) {
              Napi::Object o = Napi::Object::New(e);
              o.Set("ts", got[k].ts);
              o.Set("path", Napi::Buffer<char>::Copy(e, got[k].path.data(), got[k].path.size()));
              o.Set("kind", got[k].kind);
              o.Set("pid", got[k].pid);
              o.Set("comm", got[k].comm);
              arr.Set(k, o);
            }
            return arr;
          }));
  out.Set("close", Napi::Function::New(env, [f](const Napi::CallbackInfo& i) -> Napi::Value {
            f->Close();
            return i.Env().Undefined();
          }));
  return out;
}

}  // namespace

void InitFanotify(Napi::Env env, Napi::Object exports) {
  exports.Set("fanotifyOpen", Napi::Function::New(env, FanotifyOpen));
}

}  // namespace vantage::disk
