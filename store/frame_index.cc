#include "store/frame_index.h"

#include <memory>
#include <vector>

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

// The entry (key, value), when it belongs to `id` and parses.
bool ReadEntry(std::string_view key, std::string_view value, std::string_view id, FrameStart* out) {
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

Status StageDropFrames(const StateStore& state, std::string_view id, StateBatch* batch) {
  std::vector<std::string> keys;
  if (Status listed = state.ListKeys(Family::kFrames, id, &keys); !listed.ok()) return listed;
  for (const std::string& key : keys) {
    // Only this upload's: an id that merely begins with `id` has longer keys.
    if (key.size() == id.size() + kOffsetBytes) batch->Delete(Family::kFrames, key);
  }
  return Status::Ok();
}

Status ListFrames(const StateStore& state, std::string_view id, std::vector<FrameStart>* out) {
  out->clear();
  return state.Scan(Family::kFrames, id, FrameKey(id, 0),
                    [&](std::string_view key, std::string_view value) {
                      FrameStart start;
                      if (!ReadEntry(key, value, id, &start)) return false;
                      out->push_back(start);
                      return true;
                    });
}

Status FindFrame(const StateStore& state, std::string_view id, uint64_t offset,
                 uint64_t data_length, FrameSpan* out) {
  const std::string target = FrameKey(id, offset);
  std::string key;
  std::string value;
  Status found = state.FindLastAtOrBefore(Family::kFrames, id, target, &key, &value);
  if (found.ok() && !ReadEntry(key, value, id, &out->start)) found = Status::NotFound("");
  if (!found.ok()) {
    if (!found.IsNotFound()) return found;
    return Status::Corruption("upload " + std::string(id) + ": no frame index entry at or below " +
                              std::to_string(offset));
  }
  // The next frame's start, if any, is where this one ends in the data.
  out->data_end = data_length;
  std::string after = key;
  after.push_back('\0');
  Status scanned =
      state.Scan(Family::kFrames, id, after, [&](std::string_view k, std::string_view v) {
        FrameStart next;
        if (ReadEntry(k, v, id, &next)) out->data_end = next.data_offset;
        return false;  // only the first one
      });
  if (!scanned.ok()) return scanned;
  if (out->start.data_offset > out->data_end || out->data_end > data_length) {
    return Status::Corruption("upload " + std::string(id) + ": frame index entry at " +
                              std::to_string(out->start.offset) + " lies past the data");
  }
  return Status::Ok();
}

}  // namespace tuskd::store
