// tuskd: parse the configuration, open the store (running crash recovery), listen, and serve
// until SIGTERM/SIGINT.
#include <unistd.h>

#include <csignal>
#include <iostream>

#include "base/log.h"
#include "server/prediction_workers.h"
#include "server/server.h"
#include "server/server_config.h"
#include "store/admin_file.h"
#include "store/upload_store.h"

namespace {

using tuskd::server::ServerConfig;

// The store in --data-dir, recovered (I3); nullptr, logged, when it cannot be opened.
std::unique_ptr<tuskd::store::UploadStore> OpenStore(const ServerConfig& config) {
  tuskd::store::StoreOptions options;
  options.data_dir = config.data_dir;
  options.expiration_seconds = config.expiration.count();
  options.compression_level = config.compression_level;
  options.remove_parts_after_concat = config.concat_remove_parts;
  options.max_size = config.max_size;
  std::unique_ptr<tuskd::store::UploadStore> store;
  auto status = tuskd::store::UploadStore::Open(options, &store);
  if (!status.ok()) {
    tuskd::Log(tuskd::LogLevel::kError, tuskd::kServerLog,
               "cannot open the store in " + config.data_dir + ": " + status.ToString(),
               {{"data_dir", config.data_dir}});
    return nullptr;
  }
  return store;
}

// The --predictor; nullptr, logged, when it cannot be made.
std::shared_ptr<tuskd::predict::Predictor> ConfiguredPredictor(const ServerConfig& config) {
  tuskd::predict::PredictorOptions predictor_options;
  predictor_options.timeout = config.predictor_timeout;
  predictor_options.max_concurrency = config.predictor_concurrency;
  std::string error;
  std::shared_ptr<tuskd::predict::Predictor> predictor =
      tuskd::predict::MakePredictor(config.predictor, predictor_options, &error);
  if (!predictor) {
    tuskd::Log(tuskd::LogLevel::kError, tuskd::kServerLog,
               "--predictor " + config.predictor + ": " + error);
  }
  return predictor;
}

// Listens and serves until a signal asks to stop; the exit code. Publishes admin.json into
// *admin_file, which the caller keeps until the store is closed: until then, tuskctl must not
// think tuskd is gone.
int Serve(const ServerConfig& config, tuskd::store::UploadStore& store,
          std::unique_ptr<tuskd::store::AdminFile>* admin_file) {
  std::string error;
  tuskd::server::Server server(config, store);
  if (!server.Listen(&error)) {
    tuskd::Log(tuskd::LogLevel::kError, tuskd::kServerLog, error);
    return 1;
  }
  // Before the listening line, so whoever waits for that line can use tuskctl at once.
  const tuskd::server::TlsContext* tls = server.tls();
  tuskd::store::AdminInfo admin{::getpid(),
                                tuskd::store::AdminUrl(config.host, server.port(), tls != nullptr),
                                tuskd::store::NewAdminToken(), tls ? tls->public_key_pin() : ""};
  *admin_file = tuskd::store::AdminFile::Publish(config.data_dir, admin, &error);
  if (!*admin_file) {
    tuskd::Log(tuskd::LogLevel::kWarn, tuskd::kServerLog, error + " (tuskctl will not find tuskd)");
  } else {
    // A reloaded certificate may have a new key: tuskctl must pin that one.
    server.SetTlsReloadListener([&admin, admin_file](const tuskd::server::TlsContext& fresh) {
      admin.tls_pin = fresh.public_key_pin();
      std::string problem;
      if (!(*admin_file)->Rewrite(admin, &problem)) {
        tuskd::Log(tuskd::LogLevel::kWarn, tuskd::kServerLog, problem);
      }
    });
  }
  // Tests and scripts read this line to learn the port (--port 0 picks a free one).
  std::cout << "tuskd listening on " << (tls ? "https" : "http") << "://" << config.host << ":"
            << server.port() << config.base_path << std::endl;
  return server.Run();
}

}  // namespace

int main(int argc, char** argv) {
  int exit_code = 0;
  auto config = tuskd::server::ParseServerConfig(argc, argv, &exit_code);
  if (!config) return exit_code;
  // Before anything logs; nothing reads the format while it changes (no threads yet).
  tuskd::SetLogFormat(config->log_format);
  std::signal(SIGPIPE, SIG_IGN);  // a peer that vanished is an error code, not a death

  std::unique_ptr<tuskd::store::UploadStore> store = OpenStore(*config);
  if (!store) return 1;
  std::shared_ptr<tuskd::predict::Predictor> predictor = ConfiguredPredictor(*config);
  if (!predictor) return 2;
  tuskd::store::RetryPolicy retry;
  retry.max_attempts = config->predictor_attempts;
  // Jobs queued before a stop or crash run now (I7).
  tuskd::server::PredictionWorkers workers(store.get(), predictor, retry,
                                           config->predictor_concurrency);
  workers.Start();
  std::unique_ptr<tuskd::store::AdminFile> admin_file;
  int code = Serve(*config, *store, &admin_file);
  workers.Stop();
  store.reset();       // closes RocksDB cleanly
  admin_file.reset();  // last: until the DB is closed, tuskctl must not think tuskd is gone
  return code;
}
