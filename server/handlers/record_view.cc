#include "server/handlers/record_view.h"

namespace tuskd::server {

protocol::UploadView ToView(const store::UploadRecord& record) {
  protocol::UploadView view;
  view.id = record.id;
  view.length = record.length;
  view.offset = record.offset;
  switch (record.state) {
    case store::UploadState::kReceiving:
      view.state = protocol::UploadState::kReceiving;
      break;
    case store::UploadState::kComplete:
      view.state = protocol::UploadState::kComplete;
      break;
    case store::UploadState::kTerminated:
      view.state = protocol::UploadState::kTerminated;
      break;
    case store::UploadState::kExpired:
      view.state = protocol::UploadState::kExpired;
      break;
  }
  view.metadata_raw = record.metadata_raw;
  view.expires_at = record.expires_at;
  view.sha256_hex = record.sha256;
  view.concat_partial = record.partial();
  view.concat_final = record.final_upload();
  return view;
}

}  // namespace tuskd::server
