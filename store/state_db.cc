#include "store/state_db.h"

#include <rocksdb/cache.h>
#include <rocksdb/options.h>
#include <rocksdb/table.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <cstdarg>
#include <cstdlib>
#include <filesystem>

namespace tuskd::store {
namespace {

constexpr std::array<const char*, kFamilyCount> kFamilyNames = {
    "uploads", "hash_state", "predictions", "jobs", "expiry", "meta", "frames"};
constexpr char kSchemaKey[] = "schema_version";

// The server targets tens of MiB of RSS, so RocksDB gets a small shared block cache and small
// memtables with a total cap; the state is small records, not bulk data.
rocksdb::ColumnFamilyOptions FamilyOptions() {
  static const std::shared_ptr<rocksdb::Cache> cache = rocksdb::NewLRUCache(8 << 20);
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = cache;
  table.cache_index_and_filter_blocks = true;  // bounds index memory by the cache too
  rocksdb::ColumnFamilyOptions options;
  options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  options.write_buffer_size = 4 << 20;
  options.max_write_buffer_number = 2;
  return options;
}

rocksdb::DBOptions DbOptions() {
  rocksdb::DBOptions options;
  options.create_if_missing = true;
  options.create_missing_column_families = true;
  options.db_write_buffer_size = 16 << 20;  // all memtables together
  // Rarely written families (meta, jobs) would otherwise pin old WAL files indefinitely.
  options.max_total_wal_size = 64 << 20;
  options.max_background_jobs = 2;
  options.keep_log_file_num = 4;
  return options;
}

// The families to open: every one on disk (a read-write open must name them all) plus ours.
std::vector<std::string> FamiliesToOpen(const std::string& path) {
  std::vector<std::string> names;
  // Fails on a new DB; then there is nothing on disk to add.
  (void)rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), path, &names);
  auto add = [&names](const std::string& name) {
    if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
  };
  add(rocksdb::kDefaultColumnFamilyName);
  for (const char* name : kFamilyNames) add(name);
  return names;
}

// Read-only opens must not write into the DB directory (a new LOG would rotate the writer's), and
// their own chatter is of no use to anyone.
class DiscardingLogger : public rocksdb::Logger {
 public:
  using rocksdb::Logger::Logv;
  void Logv(const char* /*format*/, va_list /*ap*/) override {}
};

Status MakeScratchDir(std::string* path) {
  const char* base = std::getenv("TMPDIR");
  std::string pattern = std::string(base != nullptr ? base : "/tmp") + "/tuskd-secondary-XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr) {
    return Status::FromErrno(errno, "create a scratch directory for a secondary open");
  }
  *path = pattern;
  return Status::Ok();
}

}  // namespace

Status FromRocks(const rocksdb::Status& status, const std::string& context) {
  if (status.ok()) return Status::Ok();
  std::string msg = context + ": " + status.ToString();
  if (status.IsNotFound()) return Status::NotFound(std::move(msg));
  if (status.IsNoSpace()) return Status::NoSpace(std::move(msg));
  if (status.IsCorruption()) return Status::Corruption(std::move(msg));
  if (status.IsBusy() || status.IsTryAgain()) return Status::Busy(std::move(msg));
  if (status.IsInvalidArgument()) return Status::Invalid(std::move(msg));
  return Status::IOError(std::move(msg));
}

std::string ExpiryKey(int64_t expires_at, std::string_view id) {
  // Unix times are positive; the cast keeps big-endian order equal to numeric order.
  uint64_t time = static_cast<uint64_t>(expires_at);
  std::string key(8, '\0');
  for (int i = 7; i >= 0; --i, time >>= 8) key[i] = static_cast<char>(time & 0xff);
  key.append(id);
  return key;
}

bool ParseExpiryKey(std::string_view key, int64_t* expires_at, std::string* id) {
  if (key.size() <= 8) return false;
  uint64_t time = 0;
  for (int i = 0; i < 8; ++i) time = (time << 8) | static_cast<unsigned char>(key[i]);
  *expires_at = static_cast<int64_t>(time);
  id->assign(key.substr(8));
  return true;
}

void StateBatch::PutRecord(const UploadRecord& record) {
  batch_.Put(db_->handle(Family::kUploads), record.id, SerializeRecord(record));
}

void StateBatch::PutHashState(const std::string& id, const std::string& blob) {
  batch_.Put(db_->handle(Family::kHashState), id, blob);
}

void StateBatch::DeleteHashState(const std::string& id) {
  batch_.Delete(db_->handle(Family::kHashState), id);
}

void StateBatch::MoveExpiry(const std::string& id, std::optional<int64_t> before,
                            std::optional<int64_t> after) {
  if (before == after) return;
  if (before) batch_.Delete(db_->handle(Family::kExpiry), ExpiryKey(*before, id));
  if (after) batch_.Put(db_->handle(Family::kExpiry), ExpiryKey(*after, id), "");
}

void StateBatch::DeleteExpiryKey(std::string_view key) {
  batch_.Delete(db_->handle(Family::kExpiry), key);
}

void StateBatch::Put(Family family, std::string_view key, std::string_view value) {
  batch_.Put(db_->handle(family), key, value);
}

void StateBatch::Delete(Family family, std::string_view key) {
  batch_.Delete(db_->handle(family), key);
}

Status StateDb::Open(const std::string& path, std::unique_ptr<StateDb>* out) {
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const std::string& name : FamiliesToOpen(path))
    descriptors.emplace_back(name, FamilyOptions());
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status opened = rocksdb::DB::Open(DbOptions(), path, descriptors, &handles, &raw);
  if (!opened.ok()) return FromRocks(opened, "open RocksDB in " + path);

  std::unique_ptr<StateDb> db(new StateDb());
  db->db_.reset(raw);
  std::vector<std::string> names;
  for (const auto& descriptor : descriptors) names.push_back(descriptor.name);
  db->AdoptHandles(names, handles);
  if (Status schema = db->CheckSchema(); !schema.ok()) return schema;
  *out = std::move(db);
  return Status::Ok();
}

Status StateDb::OpenReadOnly(const std::string& path, ReadOnlyMode mode,
                             std::unique_ptr<StateDb>* out) {
  std::vector<std::string> names;
  rocksdb::Status listed = rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), path, &names);
  if (!listed.ok()) return Status::NotFound("no state DB in " + path + ": " + listed.ToString());
  // Families a read-write open would create are missing from a DB that an older tuskd wrote;
  // they read as empty (handle() is null). Without uploads, it is no tuskd DB at all.
  if (std::find(names.begin(), names.end(), kFamilyNames[0]) == names.end()) {
    return Status::Invalid("state DB in " + path + " has no column family 'uploads'");
  }
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const std::string& name : names) descriptors.emplace_back(name, FamilyOptions());
  rocksdb::DBOptions options;
  options.info_log = std::make_shared<DiscardingLogger>();
  std::unique_ptr<StateDb> db(new StateDb());
  db->read_only_ = mode;
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status opened;
  if (mode == ReadOnlyMode::kSecondary) {
    if (Status made = MakeScratchDir(&db->scratch_dir_); !made.ok()) return made;
    options.max_open_files = -1;  // a secondary must keep every table file it has seen open
    opened =
        rocksdb::DB::OpenAsSecondary(options, path, db->scratch_dir_, descriptors, &handles, &raw);
  } else {
    opened = rocksdb::DB::OpenForReadOnly(options, path, descriptors, &handles, &raw);
  }
  if (!opened.ok()) return FromRocks(opened, "read-only open of RocksDB in " + path);
  db->db_.reset(raw);
  db->AdoptHandles(names, handles);
  if (Status schema = db->CheckSchema(); !schema.ok()) return schema;
  *out = std::move(db);
  return Status::Ok();
}

void StateDb::AdoptHandles(const std::vector<std::string>& names,
                           const std::vector<rocksdb::ColumnFamilyHandle*>& handles) {
  handles_.assign(kFamilyCount, nullptr);
  for (size_t i = 0; i < handles.size(); ++i) {
    const std::string& name = names[i];
    auto known = std::find(kFamilyNames.begin(), kFamilyNames.end(), name);
    if (known != kFamilyNames.end()) {
      handles_[known - kFamilyNames.begin()] = handles[i];
    } else if (name == rocksdb::kDefaultColumnFamilyName) {
      default_handle_ = handles[i];
    } else {
      extra_handles_.push_back(handles[i]);
    }
  }
}

StateDb::~StateDb() {
  if (db_) {
    for (auto* handle : handles_) {
      if (handle != nullptr) db_->DestroyColumnFamilyHandle(handle);
    }
    for (auto* handle : extra_handles_) db_->DestroyColumnFamilyHandle(handle);
    if (default_handle_ != nullptr) db_->DestroyColumnFamilyHandle(default_handle_);
    db_->Close();  // every write was synced; nothing to lose if this reports an error
    db_.reset();
  }
  if (!scratch_dir_.empty()) {
    std::error_code ignored;  // a leftover directory in $TMPDIR is untidy, not harmful
    std::filesystem::remove_all(scratch_dir_, ignored);
  }
}

Status StateDb::CatchUp() {
  if (read_only_ != ReadOnlyMode::kSecondary) return Status::Ok();
  return FromRocks(db_->TryCatchUpWithPrimary(), "catch up with the writer");
}

Status StateDb::CheckSchema() {
  std::string value;
  Status found = Get(Family::kMeta, kSchemaKey, &value);
  if (found.IsNotFound() && read_only()) return Status::Ok();  // nothing to check, or to write
  if (found.IsNotFound()) {
    rocksdb::WriteOptions sync;
    sync.sync = true;
    return FromRocks(
        db_->Put(sync, handle(Family::kMeta), kSchemaKey, std::to_string(kSchemaVersion)),
        "write schema version");
  }
  if (!found.ok()) return found;
  int version = 0;
  auto [end, err] = std::from_chars(value.data(), value.data() + value.size(), version);
  if (err != std::errc() || end != value.data() + value.size()) {
    return Status::Corruption("meta schema_version is not a number: '" + value + "'");
  }
  if (version > kSchemaVersion) {
    return Status::Invalid("state DB has schema version " + value + ", newer than this build's " +
                           std::to_string(kSchemaVersion));
  }
  return Status::Ok();
}

Status StateDb::Get(Family family, std::string_view key, std::string* value) const {
  if (handle(family) == nullptr) return Status::NotFound(std::string(key));  // see OpenReadOnly
  rocksdb::Status status = db_->Get(rocksdb::ReadOptions(), handle(family),
                                    rocksdb::Slice(key.data(), key.size()), value);
  if (status.IsNotFound()) return Status::NotFound(std::string(key));
  return FromRocks(status, "RocksDB get");
}

Status StateDb::GetRecord(const std::string& id, UploadRecord* out) const {
  std::string bytes;
  Status status = Get(Family::kUploads, id, &bytes);
  if (status.IsNotFound()) return Status::NotFound("upload " + id);
  if (!status.ok()) return status;
  std::optional<UploadRecord> record = ParseRecord(bytes);
  if (!record || record->id != id) {
    return Status::Corruption("upload record " + id + " does not parse");
  }
  *out = std::move(*record);
  return Status::Ok();
}

Status StateDb::Write(StateBatch* batch) {
  rocksdb::WriteOptions options;
  options.sync = true;
  return FromRocks(db_->Write(options, &batch->batch_), "RocksDB synced write");
}

std::unique_ptr<rocksdb::Iterator> StateDb::NewIterator(Family family) const {
  if (handle(family) == nullptr) {
    return std::unique_ptr<rocksdb::Iterator>(rocksdb::NewEmptyIterator());
  }
  return std::unique_ptr<rocksdb::Iterator>(
      db_->NewIterator(rocksdb::ReadOptions(), handle(family)));
}

}  // namespace tuskd::store
