// A background task whose counters JS can poll while it runs: returns {done: Promise, poll(), cancel()}.
// Execute runs on a libuv worker thread (which may start its own threads); the result object is
// built on the JS thread when it finishes. Cancelling keeps what was finished (the task decides).
#pragma once
#include <napi.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <memory>
#include <string>

namespace vantage::disk {

inline std::string ErrnoName(int err) {
  const char* name = strerrorname_np(err);
  return name ? name : ("errno " + std::to_string(err));
}

inline std::string ErrnoText(int err) { return ErrnoName(err) + ": " + std::strerror(err); }

struct TaskBase {
  std::atomic<bool> cancel{false};
  virtual ~TaskBase() = default;
  // Runs off the JS thread. Returns an error message, or "" on success.
  virtual std::string Run() = 0;
  virtual Napi::Value Result(Napi::Env env) = 0;
  virtual Napi::Object Poll(Napi::Env env) = 0;
};

template <class State>
class TaskWorker : public Napi::AsyncWorker {
 public:
  TaskWorker(Napi::Env env, std::shared_ptr<State> state)
      : Napi::AsyncWorker(env), state_(std::move(state)), deferred_(Napi::Promise::Deferred::New(env)) {}

  Napi::Promise Promise() { return deferred_.Promise(); }

 protected:
  void Execute() override {
    std::string err = state_->Run();
    if (!err.empty()) SetError(err);
  }
  void OnOK() override { deferred_.Resolve(state_->Result(Env())); }
  void OnError(const Napi::Error& e) override { deferred_.Reject(e.Value()); }

 private:
  std::shared_ptr<State> state_;
  Napi::Promise::Deferred deferred_;
};

template <class State>
Napi::Object StartTask(Napi::Env env, std::shared_ptr<State> state) {
  auto* worker = new TaskWorker<State>(env, state);
  Napi::Object out = Napi::Object::New(env);
  out.Set("done", worker->Promise());
  out.Set("poll", Napi::Function::New(env, [state](const Napi::CallbackInfo& info) -> Napi::Value {
            return state->Poll(info.Env());
          }));
  out.Set("cancel", Napi::Function::New(env, [state](const Napi::CallbackInfo& info) -> Napi::Value {
            state->cancel.store(true);
            return info.Env().Undefined();
          }));
  worker->Queue();
  return out;
}

// A path argument: a Buffer keeps bytes that are not UTF-8; a string is taken as UTF-8.
inline std::string PathArg(const Napi::Value& v) {
  if (v.IsBuffer()) {
    auto b = v.As<Napi::Buffer<char>>();
    return std::string(b.Data(), b.Length());
  }
  if (v.IsString()) return v.As<Napi::String>().Utf8Value();
  throw Napi::TypeError::New(v.Env(), "expected a path (string or Buffer)");
}

}  // namespace vantage::disk
