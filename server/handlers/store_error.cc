#include "server/handlers/store_error.h"

namespace tuskd::server {

protocol::ErrorCode ErrorFor(const Status& status) {
  if (status.IsNotFound()) return protocol::ErrorCode::kUploadNotFound;
  if (status.IsNoSpace()) return protocol::ErrorCode::kInsufficientStorage;
  if (status.IsBusy()) return protocol::ErrorCode::kUploadLocked;
  return protocol::ErrorCode::kInternal;
}

}  // namespace tuskd::server
