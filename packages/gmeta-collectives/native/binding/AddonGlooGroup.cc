// createGlooGroup(options): Promise<GlooGroup>. Rendezvous blocks, so it runs in a worker.
#include "AddonGlooGroup.h"

#include "../core/gloo_group.h"

namespace gmeta {
namespace {

std::string optString(const Napi::Object& o, const char* key) {
  auto v = o.Get(key);
  return v.IsString() ? v.As<Napi::String>().Utf8Value() : std::string();
}
int64_t optInt(const Napi::Object& o, const char* key, int64_t dflt) {
  auto v = o.Get(key);
  return v.IsNumber() ? v.As<Napi::Number>().Int64Value() : dflt;
}

}  // namespace

Napi::Value CreateGlooGroup(const Napi::CallbackInfo& info) {
  GMETA_CHECK(info[0].IsObject(), "createGlooGroup: expected an options object");
  auto o = info[0].As<Napi::Object>();
  GroupOptions opts;
  opts.rank = static_cast<int>(optInt(o, "rank", 0));
  opts.size = static_cast<int>(optInt(o, "size", 1));
  opts.timeout = std::chrono::milliseconds(optInt(o, "timeoutMs", 120000));
  opts.hostname = optString(o, "hostname");
  if (opts.hostname.empty()) opts.hostname = "127.0.0.1";
  opts.storeHost = optString(o, "storeHost");
  opts.storePort = static_cast<int>(optInt(o, "storePort", 0));
  opts.token = optString(o, "token");
  opts.filePath = optString(o, "filePath");
  opts.jobId = optString(o, "jobId");
  if (opts.jobId.empty()) opts.jobId = "job";
  auto made = std::make_shared<std::shared_ptr<GlooGroup>>();
  auto* w = new GroupWorker(
      info.Env(), made, [opts, made] { *made = std::make_shared<GlooGroup>(opts); },
      [made](Napi::Env env) { return AddonGroup<GlooGroup>::Wrap(env, made.get()); });
  return GroupWorker::run(w);
}

}  // namespace gmeta
