#include "store/frame_index.h"

#include <memory>

namespace tuskd::store {
namespace {

constexpr size_t kOffsetBytes = 8;

void PutBigEndian(uint64_t value, std::string* out) {
  for (int shift = 56; shift >= 0; shift -= 8) {
    out->push_back(static_cast<char>((value >> shift) & 0xff));
  }
}

uint64_t GetBigEndian(std::string_view bytes) {
  uint64_t value = 0;
  for (char c : bytes) value = (value << 8) | static_cast<unsigned char>(c);
  return value;
}

// The entry under the iterator, when it belongs to `id` and parses.
bool ReadEntry(const rocksdb::Iterator& it, std::string_view id, FrameStart* out) {
  if (!it.Valid()) return false;
  std::string_view key = it.key().ToStringView();
  std::string_view value = it.value().ToStringView();
  if (key.size() != id.size() + kOffsetBytes || key.substr(0, id.size()) != id ||
      value.size() != kOffsetBytes) {
    return false;
  }
  out->offset = GetBigEndian(key.substr(id.size()));
  out->data_offset = GetBigEndian(value);
  return true;
}

}  // namespace

std::string FrameKey(std::string_view id, uint64_t offset) {
  std::string key(id);
  PutBigEndian(offset, &key);
  return key;
}

void StageFrameStart(StateBatch* batch, std::string_view id, const FrameStart& start) {
  std::string value;
  PutBigEndian(start.data_offset, &value);
  batch->Put(Family::kFrames, FrameKey(id, start.offset), value);
}

Status StageDropFrames(const StateDb& db, std::string_view id, StateBatch* batch) {
  std::unique_ptr<rocksdb::Iterator> it = db.NewIterator(Family::kFrames);
  for (it->Seek(FrameKey(id, 0)); it->Valid(); it->Next()) {
    std::string_view key = it->key().ToStringView();
    if (key.substr(0, id.size()) != id) break;
    batch->Delete(Family::kFrames, key);
  }
  return FromRocks(it->status(), "scan of the frame index");
}

Status ListFrames(const StateDb& db, std::string_view id, std::vector<FrameStart>* out) {
  out->clear();
  std::unique_ptr<rocksdb::Iterator> it = db.NewIterator(Family::kFrames);
  FrameStart start;
  for (it->Seek(FrameKey(id, 0)); ReadEntry(*it, id, &start); it->Next()) out->push_back(start);
  return FromRocks(it->status(), "scan of the frame index");
}

Status FindFrame(const StateDb& db, std::string_view id, uint64_t offset, uint64_t data_length,
                 FrameSpan* out) {
  std::unique_ptr<rocksdb::Iterator> it = db.NewIterator(Family::kFrames);
  it->SeekForPrev(FrameKey(id, offset));
  if (!ReadEntry(*it, id, &out->start)) {
    if (Status failed = FromRocks(it->status(), "frame index"); !failed.ok()) return failed;
    return Status::Corruption("upload " + std::string(id) + ": no frame index entry at or below " +
                              std::to_string(offset));
  }
  it->Next();
  FrameStart next;
  out->data_end = ReadEntry(*it, id, &next) ? next.data_offset : data_length;
  if (Status failed = FromRocks(it->status(), "frame index"); !failed.ok()) return failed;
  if (out->start.data_offset > out->data_end || out->data_end > data_length) {
    return Status::Corruption("upload " + std::string(id) + ": frame index entry at " +
                              std::to_string(out->start.offset) + " lies past the data");
  }
  return Status::Ok();
}

}  // namespace tuskd::store
