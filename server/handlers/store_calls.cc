#include "server/handlers/store_calls.h"

#include "store/expiry_purge.h"

namespace tuskd::server {

namespace asio = boost::asio;

Status GetRecord(Services& services, const std::string& id, store::UploadRecord* record) {
  return services.store.Get(id, record);
}

Status GetPredictionStatus(Services& services, const std::string& sha256,
                           store::PredictionStatus* status) {
  return services.store.pipeline().StatusFor(sha256, status);
}

Status SetLength(store::UploadWriter& writer, uint64_t length) { return writer.SetLength(length); }

asio::awaitable<Status> CreateUpload(Services& services, const store::NewUpload& spec, int64_t now,
                                     store::UploadRecord* record) {
  store::UploadStore& store = services.store;
  co_return co_await services.pool.Run([&] { return store.Create(spec, now, record); });
}

asio::awaitable<Status> OpenWriter(Services& services, const std::string& id,
                                   std::unique_ptr<store::UploadWriter>* writer) {
  store::UploadStore& store = services.store;
  co_return co_await services.pool.Run([&] { return store.OpenWriter(id, writer); });
}

asio::awaitable<Status> Append(Services& services, store::UploadWriter& writer,
                               std::span<const char> bytes, std::vector<char>& owned) {
  if (!writer.compressed()) co_return writer.Append(bytes);
  owned.assign(bytes.begin(), bytes.end());
  std::span<const char> copy(owned.data(), owned.size());
  co_return co_await services.pool.Run([&writer, copy] { return writer.Append(copy); });
}

asio::awaitable<Status> Commit(Services& services, store::UploadWriter& writer, int64_t now) {
  co_return co_await services.pool.Run([&writer, now] { return writer.Commit(now); });
}

asio::awaitable<Status> Rollback(Services& services, store::UploadWriter& writer) {
  co_return co_await services.pool.Run([&writer] { return writer.Rollback(); });
}

asio::awaitable<Status> Terminate(Services& services, const std::string& id, int64_t now) {
  store::UploadStore& store = services.store;
  co_return co_await services.pool.Run([&] { return store.Terminate(id, now); });
}

asio::awaitable<Status> AssembleFinal(Services& services, const std::string& id,
                                      const store::UploadLockTable::Lease& lease, int64_t now,
                                      store::AssemblyResult* result) {
  store::UploadStore& store = services.store;
  co_return co_await services.pool.Run([&] { return store.AssembleFinal(id, lease, now, result); });
}

asio::awaitable<Status> OpenReader(Services& services, const std::string& id,
                                   std::unique_ptr<store::UploadReader>* reader) {
  store::UploadStore& store = services.store;
  co_return co_await services.pool.Run([&] { return store.OpenReader(id, reader); });
}

asio::awaitable<Status> PurgeExpired(Services& services, int64_t now, bool dry_run,
                                     std::vector<std::string>* ids) {
  store::UploadStore& store = services.store;
  co_return co_await services.pool.Run(
      [&] { return store::PurgeExpired(store, now, dry_run, ids); });
}

}  // namespace tuskd::server
