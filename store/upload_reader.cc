// UploadReader (declared in store/upload_store.h).
#include <algorithm>

#include "store/compressed_reader.h"
#include "store/upload_store.h"

namespace tuskd::store {

UploadReader::UploadReader(std::unique_ptr<DataFile> file, uint64_t size)
    : file_(std::move(file)), size_(size) {}

UploadReader::UploadReader(std::unique_ptr<CompressedReader> compressed, uint64_t size)
    : compressed_(std::move(compressed)), size_(size) {}

UploadReader::~UploadReader() = default;

Status UploadReader::Read(uint64_t offset, std::span<char> out, size_t* read) {
  *read = 0;
  if (offset >= size_) return Status::Ok();
  if (compressed_) return compressed_->Read(offset, out, read);
  // Bounded to the committed size: bytes past it may belong to a request still in flight.
  size_t want = static_cast<size_t>(std::min<uint64_t>(out.size(), size_ - offset));
  return file_->ReadAt(offset, out.first(want), read);
}

}  // namespace tuskd::store
