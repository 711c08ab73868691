#include "store/upload_reader.h"

#include "store/compressed_reader.h"

namespace tuskd::store {

UploadReader::UploadReader(std::unique_ptr<DataReader> raw, uint64_t size)
    : raw_(std::move(raw)), size_(size) {}

UploadReader::UploadReader(std::unique_ptr<CompressedReader> compressed, uint64_t size)
    : compressed_(std::move(compressed)), size_(size) {}

UploadReader::~UploadReader() = default;

Status UploadReader::Read(uint64_t offset, std::span<char> out, size_t* read) {
  *read = 0;
  if (offset >= size_) return Status::Ok();
  if (compressed_) return compressed_->Read(offset, out, read);
  // The raw reader is bounded to the committed length: bytes past it may belong to a request
  // still in flight.
  return raw_->ReadAt(offset, out, read);
}

}  // namespace tuskd::store
