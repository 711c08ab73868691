#include "tools/tuskctl/writer_route.h"

#include <signal.h>
#include <sys/stat.h>

#include <cerrno>
#include <chrono>
#include <thread>

namespace tuskd::tuskctl {
namespace {

// tuskd opens the store, then binds its port, then writes admin.json: give it that long.
constexpr auto kStartingTuskdGrace = std::chrono::seconds(3);
constexpr auto kPoll = std::chrono::milliseconds(50);

bool ProcessAlive(pid_t pid) { return pid > 0 && (::kill(pid, 0) == 0 || errno == EPERM); }

bool HasDb(const std::string& db_path) {
  struct stat info;
  return ::stat((db_path + "/CURRENT").c_str(), &info) == 0;
}

}  // namespace

WriterRoute::~WriterRoute() {
  store_.reset();  // explicit, though member order does the same: the lock must go last
  lock_.reset();
}

Status WriterRoute::Open(const std::string& data_dir, std::unique_ptr<WriterRoute>* out) {
  const std::string db_path = data_dir + "/db";
  if (!HasDb(db_path)) return Status::NotFound("no tuskd store in " + data_dir);
  std::unique_ptr<WriterRoute> route(new WriterRoute());
  auto deadline = std::chrono::steady_clock::now() + kStartingTuskdGrace;
  for (;;) {
    pid_t holder = 0;
    Status locked = store::StateDbWriterLock::Acquire(db_path, &route->lock_, &holder);
    if (locked.ok()) break;
    if (!locked.IsBusy()) return locked;
    std::optional<store::AdminInfo> admin = store::ReadAdminFile(data_dir);
    // A pid of 0: the holder is in another pid namespace; trust a live pid in the file then.
    if (admin && (holder == 0 || admin->pid == holder) && ProcessAlive(admin->pid)) {
      route->admin_ = std::move(admin);
      *out = std::move(route);
      return Status::Ok();
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      return Status::Busy("the store is open by process " + std::to_string(holder) +
                          ", which publishes no admin endpoint in " + data_dir + "/" +
                          store::kAdminFileName + "; stop it, or retry once tuskd has started");
    }
    std::this_thread::sleep_for(kPoll);
  }
  store::StoreOptions options;
  options.data_dir = data_dir;
  if (Status opened = store::UploadStore::Open(options, &route->store_); !opened.ok()) {
    return opened;
  }
  *out = std::move(route);
  return Status::Ok();
}

}  // namespace tuskd::tuskctl
