// The parallel directory walker behind disk scans.
//
// A pool of threads takes folders from a shared stack, reads them with getdents64 into a large
// buffer and statx()es each entry relative to the folder's fd. Each folder's entries are
// published as one batch of fixed 64-byte records plus their name bytes; JS drains them with
// walkPoll() and builds the tree. A folder's record is always published before the folder itself
// is queued, so a batch's parent is already known when JS reads it.
//
// A folder that getdents reports as one is not statx()ed by name: its record goes out with no
// bytes, and the worker that opens it reads its size from the descriptor and sends a "self"
// record (flag 8, token = the folder's) that adds them. That saves a name lookup per folder, about
// a tenth of all lookups on /usr. With --one-file-system the parent must see the folder's device
// before recording it, so there folders are statx()ed as before.
//
// Threads and cores: from a warm cache a walk is all CPU, and threads past two per core only
// switch and contend (12 threads were 5 % slower than 4 on /usr with 2 cores). From a cold cache
// each thread spends most of its time waiting for the disk, and 12 threads read /usr 30 % faster
// than 4. So a walk starts with two threads per core and wakes the rest of the pool as soon as a
// worker sees that it read blocks from the disk (its ru_inblock grew).
//
// Record layout (little-endian, see electron/services/disk/scan/native-walker.ts):
//   0 f64 apparent bytes   8 f64 allocated bytes   16 f64 mtime ms
//   24 u32 parent token    28 u32 own token (folders to be read; 0xffffffff otherwise)
//   32 u32 name offset     36 u16 name length      38 u8 kind (0 dir, 1 file, 2 symlink, 3 other)
//   39 u8 category         40 u8 flags (1 hard link seen before, 2 classified by content,
//                                        8 a folder's own size: see above)
//   48 u64 dev             56 u64 ino (both 0 unless a non-folder has more than one link)
#include <dirent.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_set>
#include <vector>

#include "classify.h"
#include "disk.h"

namespace vantage::disk {
namespace {

constexpr uint32_t kNoToken = 0xffffffff;
constexpr uint8_t kFlagHardLinkSeen = 1;
constexpr uint8_t kFlagByContent = 2;
constexpr uint8_t kFlagSelf = 8;

struct Record {
  double apparent;
  double allocated;
  double mtimeMs;
  uint32_t parent;
  uint32_t token;
  uint32_t nameOff;
  uint16_t nameLen;
  uint8_t kind;
  uint8_t category;
  uint8_t flags;
  uint8_t pad[7];
  uint64_t dev;  // files with more than one link: their inode, so a rescan of one folder can
  uint64_t ino;  // skip inodes already counted elsewhere in the tree; 0 otherwise
};
static_assert(sizeof(Record) == 64, "record layout is shared with JS");

struct ErrorRecord {
  uint32_t token;    // the folder the error belongs to
  std::string name;  // empty: the folder itself could not be read; else the entry that failed
  std::string message;
};

// A folder's open descriptor, kept while subfolders found in it wait to be read, so they are
// opened relative to it: opening by full path made the kernel look up every component of the
// path again (on /usr, relative opens took about 5% off a warm scan). Closed when the last of
// those subfolders has been opened.
struct DirFd {
  int fd;
  std::atomic<int>* open;  // the walk's count of kept descriptors
  DirFd(int f, std::atomic<int>* n) : fd(f), open(n) {}
  DirFd(const DirFd&) = delete;
  DirFd& operator=(const DirFd&) = delete;
  ~DirFd() {
    close(fd);
    open->fetch_sub(1, std::memory_order_relaxed);
  }
};

struct DirJob {
  uint32_t token;
  std::string path;
  std::shared_ptr<DirFd> parent;  // null: open by path
  size_t nameAt = 0;              // where the folder's own name starts in path
  bool self = false;              // its own size is read when it is opened (a "self" record)
};

// Descriptors kept for subfolders at most: a quarter of the soft fd limit, and no more than
// this. Past it, folders are opened by path.
constexpr int kMaxKeptFds = 256;

struct Meta {
  uint32_t mode;
  uint32_t nlink;
  uint64_t size;
  uint64_t blocks;
  uint64_t ino;
  uint64_t dev;
  double mtimeMs;
};

std::atomic<bool> g_noStatx{false};

void FromStat(const struct stat& st, Meta& m) {
  m.mode = st.st_mode;
  m.nlink = st.st_nlink;
  m.size = st.st_size;
  m.blocks = st.st_blocks;
  m.ino = st.st_ino;
  m.dev = (uint64_t(major(st.st_dev)) << 32) | minor(st.st_dev);
  m.mtimeMs = double(st.st_mtim.tv_sec) * 1000.0 + double(st.st_mtim.tv_nsec) / 1e6;
}

int StatAt(int dirfd, const char* name, Meta& m) {
  if (!g_noStatx.load(std::memory_order_relaxed)) {
    struct statx sx;
    if (statx(dirfd, name, AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT,
              STATX_TYPE | STATX_MODE | STATX_SIZE | STATX_BLOCKS | STATX_INO | STATX_NLINK | STATX_MTIME, &sx) == 0) {
      m.mode = sx.stx_mode;
      m.nlink = sx.stx_nlink;
      m.size = sx.stx_size;
      m.blocks = sx.stx_blocks;
      m.ino = sx.stx_ino;
      m.dev = (uint64_t(sx.stx_dev_major) << 32) | sx.stx_dev_minor;
      m.mtimeMs = double(sx.stx_mtime.tv_sec) * 1000.0 + double(sx.stx_mtime.tv_nsec) / 1e6;
      return 0;
    }
    if (errno != ENOSYS) return errno;
    g_noStatx.store(true);
  }
  struct stat st;
  if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT) != 0) return errno;
  FromStat(st, m);
  return 0;
}

std::string ErrnoText(int e) {
  const char* name = strerrorname_np(e);
  const char* desc = strerrordesc_np(e);
  return std::string(name ? name : "EIO") + ": " + (desc ? desc : "unknown error");
}

uint8_t KindOf(uint32_t mode) {
  switch (mode & S_IFMT) {
    case S_IFDIR: return 0;
    case S_IFREG: return 1;
    case S_IFLNK: return 2;
    default: return 3;
  }
}

// A record of `m`'s sizes and mtime under `parent`; the caller fills in the rest.
Record RecordOf(const Meta& m, uint32_t parent) {
  Record r{};
  r.apparent = double(m.size);
  r.allocated = double(m.blocks * 512);
  r.mtimeMs = m.mtimeMs;
  r.parent = parent;
  r.token = kNoToken;
  r.category = kOther;
  return r;
}

// (dev, ino) of files with more than one link, sharded so threads rarely wait on each other.
class LinkSet {
 public:
  // True the first time an inode is seen.
  bool Insert(uint64_t dev, uint64_t ino) {
    uint64_t h = ino * 0x9E3779B97F4A7C15ull ^ dev;
    Shard& s = shards_[(h >> 58) & (kShards - 1)];
    std::lock_guard<std::mutex> lock(s.mu);
    return s.set.insert(Key{dev, ino}).second;
  }

 private:
  struct Key {
    uint64_t dev, ino;
    bool operator==(const Key& o) const { return dev == o.dev && ino == o.ino; }
  };
  struct KeyHash {
    size_t operator()(const Key& k) const { return k.ino * 0x9E3779B97F4A7C15ull ^ k.dev; }
  };
  struct Shard {
    std::mutex mu;
    std::unordered_set<Key, KeyHash> set;
  };
  static constexpr size_t kShards = 64;
  Shard shards_[kShards];
};

struct Walk {
  std::string root;
  bool oneFileSystem = false;
  std::vector<std::string> excludes;
  int64_t classifyMinSize = -1;  // < 0: by extension only
  uint64_t rootDev = 0;
  bool shortReadIsEnd = false;  // see FillsWholeBuffer

  std::atomic<bool> cancel{false};
  std::atomic<int> alive{0};
  std::atomic<int> keptFds{0};  // declared before the queue: its jobs' DirFds count down into it
  int maxKeptFds = 0;
  std::mutex qm;
  std::condition_variable qcv;
  std::vector<DirJob> queue;
  int threads = 0;
  int width = 0;             // under qm: workers allowed to run; the others wait until it grows
  std::atomic<bool> wide{false};
  std::atomic<int> idle{0};  // running workers waiting for work (their own stack empty)
  bool finished = false;     // under qm: no work anywhere
  std::atomic<uint32_t> nextToken{1};

  std::atomic<uint64_t> files{0}, dirs{0}, apparent{0}, allocated{0}, errors{0}, symlinks{0}, hardLinksSkipped{0},
      byContent{0}, byExtension{0};

  std::mutex om;
  std::vector<Record> records;
  std::vector<uint8_t> names;
  std::vector<ErrorRecord> errs;

  std::mutex cm;
  std::string current;

  LinkSet links;
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
  std::atomic<int64_t> finishedUs{-1};
  std::atomic<int> leaving{0};  // when the last worker left, µs after the start
  // Called (on the JS thread) once the last worker has left, so JS drains the walk at once
  // instead of at its next poll.
  Napi::ThreadSafeFunction onDone;
};

bool Excluded(const Walk& w, const char* name, const std::string& full) {
  for (const auto& p : w.excludes) {
    if (fnmatch(p.c_str(), name, 0) == 0) return true;
    if (p.find('/') != std::string::npos && fnmatch(p.c_str(), full.c_str(), 0) == 0) return true;
  }
  return false;
}

int ClassifyFile(int dirfd, const char* name, std::string_view nameView, bool& byContent) {
  byContent = false;
  int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOATIME);
  if (fd < 0 && errno == EPERM) fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
  if (fd < 0) return CategoryByExtension(nameView);
  uint8_t buf[kClassifyBytes];
  ssize_t n = pread(fd, buf, sizeof buf, 0);
  close(fd);
  if (n > 0) {
    int c = ClassifyContent(buf, size_t(n), nameView);
    if (c >= 0) {
      byContent = true;
      return c;
    }
  }
  return CategoryByExtension(nameView);
}

struct linux_dirent64 {
  uint64_t d_ino;
  int64_t d_off;
  unsigned short d_reclen;
  unsigned char d_type;
  char d_name[];
};

// The largest record getdents64 can return: a 255-byte name, its NUL and the header, 8-aligned.
constexpr long kMaxDirent = (offsetof(linux_dirent64, d_name) + 256 + 7) & ~7L;

// Whether getdents64 on this file system fills the buffer until the folder ends: then a call
// that left room for one more record of any length has read the whole folder, and the call that
// would return 0 can be skipped (a tenth of a warm scan's system calls on /usr). True of ext4,
// XFS, Btrfs and tmpfs, whose readdir loops until the folder ends or an entry does not fit;
// network and FUSE file systems return a page or a server's reply at a time, so the others read
// until 0 as before.
bool FillsWholeBuffer(const char* root) {
  struct statfs fs;
  if (statfs(root, &fs) != 0) return false;
  switch (static_cast<unsigned long>(fs.f_type)) {
    case 0xEF53:      // ext2/3/4
    case 0x58465342:  // XFS
    case 0x9123683E:  // Btrfs
    case 0x01021994:  // tmpfs
      return true;
    default:
      return false;
  }
}

// What one worker read and has not published yet. Published (under one lock) when it grows,
// before the worker shares folders with others (their children must not overtake the folder's
// own record), and before it waits: so the shared lock is taken a few times per thousand
// entries, not per folder. Under CPU contention a lock per folder made threads sleep and wait
// for the scheduler far longer than the work took.
struct Output {
  std::vector<Record> recs;
  std::vector<uint8_t> names;
  std::vector<ErrorRecord> errs;
  uint64_t files = 0, dirs = 0, apparent = 0, allocated = 0, symlinks = 0, skipped = 0, byContent = 0, byExt = 0;
  std::string current;
  std::chrono::steady_clock::time_point since = std::chrono::steady_clock::now();
};

void Publish(Walk& w, Output& o) {
  w.files += o.files;
  w.dirs += o.dirs;
  w.apparent += o.apparent;
  w.allocated += o.allocated;
  w.symlinks += o.symlinks;
  w.hardLinksSkipped += o.skipped;
  w.byContent += o.byContent;
  w.byExtension += o.byExt;
  w.errors += o.errs.size();
  {
    std::lock_guard<std::mutex> lock(w.om);
    uint32_t base = uint32_t(w.names.size());
    for (auto& r : o.recs) r.nameOff += base;
    w.names.insert(w.names.end(), o.names.begin(), o.names.end());
    w.records.insert(w.records.end(), o.recs.begin(), o.recs.end());
    for (auto& e : o.errs) w.errs.push_back(std::move(e));
  }
  if (!o.current.empty()) {
    std::unique_lock<std::mutex> lock(w.cm, std::try_to_lock);
    if (lock.owns_lock()) w.current.swap(o.current);
  }
  o.recs.clear();
  o.names.clear();
  o.errs.clear();
  o.current.clear();
  o.files = o.dirs = o.apparent = o.allocated = o.symlinks = o.skipped = o.byContent = o.byExt = 0;
  o.since = std::chrono::steady_clock::now();
}

// The "self" record of a folder whose parent left its size out (see the top of this file).
void AddSelf(const DirJob& job, const Meta& m, Output& o) {
  Record r = RecordOf(m, kNoToken);
  r.token = job.token;
  r.nameOff = uint32_t(o.names.size());
  r.flags = kFlagSelf;
  o.apparent += m.size;
  o.allocated += m.blocks * 512;
  o.recs.push_back(r);
}

void ReadDir(Walk& w, DirJob& job, Output& o, std::vector<DirJob>& subdirs) {
  o.current = job.path;
  size_t firstSub = subdirs.size();
  constexpr int kDirFlags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
  const char* rel = job.path.c_str() + job.nameAt;
  int fd = job.parent ? openat(job.parent->fd, rel, kDirFlags) : open(job.path.c_str(), kDirFlags);
  int openErr = fd < 0 ? errno : 0;
  // A folder without a self record is the root, or (one file system) was checked by its parent.
  bool sameFs = true;
  if (job.self) {
    Meta m;
    int e;
    if (fd >= 0) {
      struct stat st;
      e = fstat(fd, &st) == 0 ? 0 : errno;
      if (e == 0) FromStat(st, m);
      // Another file system mounted here may not fill the buffer: read it until 0.
      sameFs = e == 0 && m.dev == w.rootDev;
    } else {
      // An unreadable folder still has a size of its own (du counts it): stat it by name.
      e = job.parent ? StatAt(job.parent->fd, rel, m) : StatAt(AT_FDCWD, job.path.c_str(), m);
    }
    if (e == 0) AddSelf(job, m, o);
  }
  job.parent.reset();
  if (fd < 0) {
    o.errs.push_back({job.token, "", ErrnoText(openErr)});
    return;
  }
  thread_local std::vector<char> buf(256 * 1024);
  std::string prefix = job.path;
  if (prefix.empty() || prefix.back() != '/') prefix += '/';
  bool shortIsEnd = w.shortReadIsEnd && sameFs;
  for (bool end = false; !end;) {
    long n = syscall(SYS_getdents64, fd, buf.data(), buf.size());
    if (n < 0) {
      o.errs.push_back({job.token, "", ErrnoText(errno)});
      break;
    }
    if (n == 0) break;
    end = shortIsEnd && long(buf.size()) - n >= kMaxDirent;
    for (long off = 0; off < n;) {
      auto* d = reinterpret_cast<linux_dirent64*>(buf.data() + off);
      off += d->d_reclen;
      const char* name = d->d_name;
      if (name[0] == '.' && (name[1] == 0 || (name[1] == '.' && name[2] == 0))) continue;
      size_t len = strlen(name);
      if (!w.excludes.empty() && Excluded(w, name, prefix + name)) continue;
      Meta m;
      // A folder's own size comes with its self record, from the descriptor its reader opens.
      bool later = d->d_type == DT_DIR && !w.oneFileSystem;
      int e = 0;
      if (later) m = Meta{S_IFDIR, 0, 0, 0, 0, 0, 0};
      else e = StatAt(fd, name, m);
      if (e != 0) {
        o.errs.push_back({job.token, std::string(name, len), ErrnoText(e)});
        continue;
      }
      uint8_t kind = KindOf(m.mode);
      if (kind == 0 && w.oneFileSystem && m.dev != w.rootDev) continue;
      Record r = RecordOf(m, job.token);
      r.nameOff = uint32_t(o.names.size());
      r.nameLen = uint16_t(len);
      r.kind = kind;
      std::string_view nameView(name, len);
      if (kind == 0) {
        r.token = w.nextToken.fetch_add(1, std::memory_order_relaxed);
        subdirs.push_back({r.token, prefix + name, nullptr, prefix.size(), later});
        o.dirs++;
      } else {
        o.files++;
        if (kind == 2) o.symlinks++;
        if (m.nlink > 1) {
          r.dev = m.dev;
          r.ino = m.ino;
        }
        if (m.nlink > 1 && !w.links.Insert(m.dev, m.ino)) {
          // du counts an inode once: later names of it hold no bytes of their own.
          r.flags |= kFlagHardLinkSeen;
          r.apparent = 0;
          r.allocated = 0;
          o.skipped++;
        }
        if (kind == 1 && w.classifyMinSize >= 0 && int64_t(m.size) >= w.classifyMinSize) {
          bool content = false;
          r.category = uint8_t(ClassifyFile(fd, name, nameView, content));
          if (content) {
            r.flags |= kFlagByContent;
            o.byContent++;
          } else {
            o.byExt++;
          }
        } else {
          r.category = kind == 1 ? CategoryByExtension(nameView) : kOther;
          if (kind == 1) o.byExt++;
        }
      }
      o.apparent += uint64_t(r.apparent);
      o.allocated += uint64_t(r.allocated);
      o.names.insert(o.names.end(), name, name + len);
      o.recs.push_back(r);
    }
  }
  // Kept only for subfolders, and only while the walk is under its budget of descriptors.
  bool keep = subdirs.size() > firstSub;
  if (keep && w.keptFds.fetch_add(1, std::memory_order_relaxed) >= w.maxKeptFds) {
    w.keptFds.fetch_sub(1, std::memory_order_relaxed);
    keep = false;
  }
  if (keep) {
    auto kept = std::make_shared<DirFd>(fd, &w.keptFds);
    for (size_t k = firstSub; k < subdirs.size(); k++) subdirs[k].parent = kept;
  } else {
    close(fd);
  }
  // The stack pops from the back: reversed, folders are read in the order they were listed.
  std::reverse(subdirs.begin() + firstSub, subdirs.end());
}

// Blocks this thread has read from the disk so far.
long BlocksRead() {
  struct rusage ru;
  return getrusage(RUSAGE_THREAD, &ru) == 0 ? ru.ru_inblock : 0;
}

// Lets every worker of the pool run (see the top of this file).
void Widen(Walk& w) {
  if (w.wide.exchange(true)) return;
  std::lock_guard<std::mutex> lock(w.qm);
  w.width = w.threads;
  w.qcv.notify_all();
}

// Each worker goes depth first through its own stack of folders and hands the shallowest half
// (the biggest subtrees) to the shared queue only when some worker is idle.
void Worker(std::shared_ptr<Walk> w, int id) {
  Output out;
  std::vector<DirJob> local;
  bool run = true;
  if (id >= w->width) {
    // Past the starting width: wait until the walk widens (or ends without needing this thread).
    std::unique_lock<std::mutex> lock(w->qm);
    w->qcv.wait(lock, [&] { return id < w->width || w->finished || w->cancel.load(); });
    run = !w->finished && !w->cancel.load();
  }
  long blocks = run ? BlocksRead() : 0;
  int sinceCheck = 0;
  while (run) {
    if (w->cancel.load(std::memory_order_relaxed)) break;
    if (local.empty()) {
      Publish(*w, out);
      std::unique_lock<std::mutex> lock(w->qm);
      if (w->queue.empty()) {
        if (w->idle.fetch_add(1) + 1 == w->width) {
          w->finished = true;
          w->qcv.notify_all();
        } else {
          w->qcv.wait(lock, [&] { return !w->queue.empty() || w->finished || w->cancel.load(); });
          if (w->finished || w->cancel.load()) break;
        }
        if (w->finished) break;
        w->idle.fetch_sub(1);
      }
      local.push_back(std::move(w->queue.back()));
      w->queue.pop_back();
    }
    DirJob job = std::move(local.back());
    local.pop_back();
    ReadDir(*w, job, out, local);
    if (!w->wide.load(std::memory_order_relaxed) && ++sinceCheck == 16) {
      sinceCheck = 0;
      long now = BlocksRead();
      if (now != blocks) Widen(*w);
      blocks = now;
    }
    if (w->idle.load(std::memory_order_relaxed) > 0 && local.size() > 1) {
      Publish(*w, out);
      size_t give = local.size() / 2;
      std::lock_guard<std::mutex> lock(w->qm);
      // The bottom of the stack holds the shallowest folders; the queue pops from its back.
      for (size_t k = give; k-- > 0;) w->queue.push_back(std::move(local[k]));
      local.erase(local.begin(), local.begin() + give);
      w->qcv.notify_all();
    } else if (out.recs.size() >= 4096 || std::chrono::steady_clock::now() - out.since > std::chrono::milliseconds(20)) {
      Publish(*w, out);
    }
  }
  Publish(*w, out);
  w->qcv.notify_all();
  if (w->leaving.fetch_add(1) + 1 == w->threads)
    w->finishedUs = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - w->started).count();
  if (w->alive.fetch_sub(1) == 1 && w->onDone) {
    w->onDone.NonBlockingCall();
    w->onDone.Release();
  }
}

using Handle = std::shared_ptr<Walk>;

Handle& HandleOf(const Napi::Value& v) {
  if (!v.IsExternal()) throw Napi::TypeError::New(v.Env(), "expected a walk handle");
  return *v.As<Napi::External<Handle>>().Data();
}

// walkStart(root, {oneFileSystem, excludes, classifyMinSize, knownLinks, threads, keptFds, onDone}) → handle.
// The root's own record (token 0) is the first one polled.
Napi::Value WalkStart(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !(info[0].IsString() || info[0].IsBuffer()))
    throw Napi::TypeError::New(env, "walkStart(root: string | Buffer, options)");
  auto w = std::make_shared<Walk>();
  if (info[0].IsBuffer()) {
    auto b = info[0].As<Napi::Buffer<char>>();
    w->root.assign(b.Data(), b.Length());
  } else {
    w->root = info[0].As<Napi::String>().Utf8Value();
  }
  int threads = 12;
  int keptFds = -1;  // -1: the default (see kMaxKeptFds)
  Napi::Function onDone;
  if (info.Length() > 1 && info[1].IsObject()) {
    auto o = info[1].As<Napi::Object>();
    if (o.Has("oneFileSystem")) w->oneFileSystem = o.Get("oneFileSystem").ToBoolean();
    if (o.Has("classifyMinSize") && o.Get("classifyMinSize").IsNumber())
      w->classifyMinSize = o.Get("classifyMinSize").As<Napi::Number>().Int64Value();
    if (o.Has("threads") && o.Get("threads").IsNumber())
      threads = std::clamp(o.Get("threads").As<Napi::Number>().Int32Value(), 1, 64);
    if (o.Has("keptFds") && o.Get("keptFds").IsNumber())
      keptFds = std::clamp(o.Get("keptFds").As<Napi::Number>().Int32Value(), 0, kMaxKeptFds);
    if (o.Get("onDone").IsFunction()) onDone = o.Get("onDone").As<Napi::Function>();
    // Inodes counted elsewhere (a rescan of one folder of a tree): later names hold no bytes.
    if (o.Has("knownLinks") && o.Get("knownLinks").IsTypedArray()) {
      auto ta = o.Get("knownLinks").As<Napi::TypedArray>();
      if (ta.TypedArrayType() != napi_biguint64_array) throw Napi::TypeError::New(env, "knownLinks: BigUint64Array of dev, ino pairs");
      auto a = ta.As<Napi::TypedArrayOf<uint64_t>>();
      for (size_t i = 0; i + 1 < a.ElementLength(); i += 2) w->links.Insert(a[i], a[i + 1]);
    }
    if (o.Has("excludes") && o.Get("excludes").IsArray()) {
      auto a = o.Get("excludes").As<Napi::Array>();
      for (uint32_t i = 0; i < a.Length(); i++) w->excludes.push_back(a.Get(i).ToString().Utf8Value());
    }
  }
  Meta m;
  int e = StatAt(AT_FDCWD, w->root.c_str(), m);
  if (e != 0) {
    auto err = Napi::Error::New(env, ErrnoText(e) + ", " + w->root);
    err.Set("code", Napi::String::New(env, strerrorname_np(e) ? strerrorname_np(e) : "EIO"));
    throw err;
  }
  w->rootDev = m.dev;
  w->shortReadIsEnd = FillsWholeBuffer(w->root.c_str());
  struct rlimit fdLimit;
  w->maxKeptFds = getrlimit(RLIMIT_NOFILE, &fdLimit) == 0 ? int(std::min<rlim_t>(fdLimit.rlim_cur / 4, kMaxKeptFds)) : 0;
  if (keptFds >= 0) w->maxKeptFds = std::min(w->maxKeptFds, keptFds);
  Record r = RecordOf(m, kNoToken);
  r.kind = KindOf(m.mode);
  size_t slash = w->root.find_last_of('/');
  std::string base = slash == std::string::npos ? w->root : w->root.substr(slash + 1);
  if (base.empty()) base = w->root;
  r.nameLen = uint16_t(base.size());
  w->names.assign(base.begin(), base.end());
  w->apparent = m.size;
  w->allocated = m.blocks * 512;
  if (r.kind == 0) {
    r.token = 0;
    w->dirs = 1;
    w->queue.push_back({0, w->root, nullptr, 0});
  } else {
    r.token = kNoToken;
    w->files = 1;
  }
  w->records.push_back(r);
  // Made last: nothing below can throw and leave it unreleased (it keeps the event loop alive).
  if (!onDone.IsEmpty()) w->onDone = Napi::ThreadSafeFunction::New(env, onDone, "walkDone", 0, 1);
  w->alive = threads;
  w->threads = threads;
  int cores = int(std::thread::hardware_concurrency());
  w->width = std::clamp(2 * (cores > 0 ? cores : 1), 1, threads);
  w->wide = w->width == threads;
  for (int i = 0; i < threads; i++) std::thread(Worker, w, i).detach();
  return Napi::External<Handle>::New(env, new Handle(w), [](Napi::Env, Handle* h) {
    (*h)->cancel = true;
    (*h)->qcv.notify_all();
    delete h;
  });
}

// A vector's bytes as a Buffer, handed over without a copy where the runtime allows external
// buffers (Node; Electron's V8 sandbox does not, and NewOrCopy copies there).
template <typename T>
Napi::Buffer<uint8_t> HandOver(Napi::Env env, std::vector<T>&& v) {
  if (v.empty()) return Napi::Buffer<uint8_t>::New(env, 0);
  auto* held = new std::vector<T>(std::move(v));
  return Napi::Buffer<uint8_t>::NewOrCopy(env, reinterpret_cast<uint8_t*>(held->data()), held->size() * sizeof(T),
                                          [](Napi::Env, uint8_t*, std::vector<T>* h) { delete h; }, held);
}

// walkPoll(handle) → {records, names, errors: [token, name|null, message][], done, counters...}
Napi::Value WalkPoll(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Walk& w = *HandleOf(info[0]);
  // Read "done" before draining: anything published before the last worker left is in this poll.
  bool done = w.alive.load() == 0;
  std::vector<Record> recs;
  std::vector<uint8_t> names;
  std::vector<ErrorRecord> errs;
  {
    std::lock_guard<std::mutex> lock(w.om);
    recs.swap(w.records);
    names.swap(w.names);
    errs.swap(w.errs);
  }
  auto out = Napi::Object::New(env);
  out.Set("records", HandOver(env, std::move(recs)));
  out.Set("names", HandOver(env, std::move(names)));
  auto ea = Napi::Array::New(env, errs.size());
  for (size_t i = 0; i < errs.size(); i++) {
    auto t = Napi::Array::New(env, 3);
    t.Set(uint32_t(0), Napi::Number::New(env, errs[i].token));
    t.Set(uint32_t(1), errs[i].name.empty() ? env.Null()
                                            : Napi::Buffer<char>::Copy(env, errs[i].name.data(), errs[i].name.size()).As<Napi::Value>());
    t.Set(uint32_t(2), Napi::String::New(env, errs[i].message));
    ea.Set(uint32_t(i), t);
  }
  out.Set("errors", ea);
  out.Set("done", Napi::Boolean::New(env, done));
  out.Set("cancelled", Napi::Boolean::New(env, w.cancel.load()));
  // How long the walk itself took (until the last worker left), for benchmarks: JS may notice later.
  out.Set("walkMs", Napi::Number::New(env, done ? double(w.finishedUs.load()) / 1000.0 : -1));
  {
    // How many of the pool's threads the walk lets run (it widens when it reads from the disk).
    std::lock_guard<std::mutex> lock(w.qm);
    out.Set("threadsRunning", Napi::Number::New(env, w.width));
  }
  out.Set("files", Napi::Number::New(env, double(w.files.load())));
  out.Set("dirs", Napi::Number::New(env, double(w.dirs.load())));
  out.Set("apparentBytes", Napi::Number::New(env, double(w.apparent.load())));
  out.Set("allocatedBytes", Napi::Number::New(env, double(w.allocated.load())));
  out.Set("errorCount", Napi::Number::New(env, double(w.errors.load())));
  out.Set("symlinks", Napi::Number::New(env, double(w.symlinks.load())));
  out.Set("hardLinksSkipped", Napi::Number::New(env, double(w.hardLinksSkipped.load())));
  out.Set("classifiedByContent", Napi::Number::New(env, double(w.byContent.load())));
  out.Set("classifiedByExtension", Napi::Number::New(env, double(w.byExtension.load())));
  std::string current;
  {
    std::lock_guard<std::mutex> lock(w.cm);
    current = w.current;
  }
  out.Set("currentPath", Napi::Buffer<char>::Copy(env, current.data(), current.size()));
  return out;
}

// walkCancel(handle): workers stop after the folder they are reading; what was read stays.
Napi::Value WalkCancel(const Napi::CallbackInfo& info) {
  Walk& w = *HandleOf(info[0]);
  {
    std::lock_guard<std::mutex> lock(w.qm);
    w.cancel = true;
  }
  w.qcv.notify_all();
  return info.Env().Undefined();
}

// classifyBytes(buffer, name) → category index or -1; exposed so JS and tests share one table.
Napi::Value ClassifyBytes(const Napi::CallbackInfo& info) {
  auto buf = info[0].As<Napi::Buffer<uint8_t>>();
  std::string name = info.Length() > 1 && info[1].IsString() ? info[1].As<Napi::String>().Utf8Value() : "";
  return Napi::Number::New(info.Env(), ClassifyContent(buf.Data(), std::min(buf.Length(), kClassifyBytes), name));
}

Napi::Value CategoryOfName(const Napi::CallbackInfo& info) {
  std::string name = info[0].As<Napi::String>().Utf8Value();
  return Napi::Number::New(info.Env(), CategoryByExtension(name));
}

}  // namespace

void InitWalker(Napi::Env env, Napi::Object exports) {
  exports.Set("walkRecordSize", Napi::Number::New(env, sizeof(Record)));
  exports.Set("walkStart", Napi::Function::New(env, WalkStart, "walkStart"));
  exports.Set("walkPoll", Napi::Function::New(env, WalkPoll, "walkPoll"));
  exports.Set("walkCancel", Napi::Function::New(env, WalkCancel, "walkCancel"));
  exports.Set("classifyBytes", Napi::Function::New(env, ClassifyBytes, "classifyBytes"));
  exports.Set("categoryOfName", Napi::Function::New(env, CategoryOfName, "categoryOfName"));
}

}  // namespace vantage::disk
