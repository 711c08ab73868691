#include "store/rocksdb/rocks_state_store.h"

#include <rocksdb/cache.h>
#include <rocksdb/options.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <cstdarg>
#include <cstdlib>
#include <filesystem>

#include "store/schema_version.h"

namespace tuskd::store {
namespace {

// The families by name, in Family order.
std::vector<std::string> OurFamilies() {
  std::vector<std::string> names;
  for (size_t i = 0; i < kFamilyCount; ++i) {
    names.emplace_back(FamilyName(static_cast<Family>(i)));
  }
  return names;
}

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
  for (const std::string& name : OurFamilies()) add(name);
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

Status RocksStateStore::Open(const std::string& path, std::unique_ptr<RocksStateStore>* out,
                             rocksdb::Env* env) {
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const std::string& name : FamiliesToOpen(path))
    descriptors.emplace_back(name, FamilyOptions());
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  rocksdb::DBOptions options = DbOptions();
  if (env != nullptr) options.env = env;
  rocksdb::Status opened = rocksdb::DB::Open(options, path, descriptors, &handles, &raw);
  if (!opened.ok()) return FromRocks(opened, "open RocksDB in " + path);

  std::unique_ptr<RocksStateStore> db(new RocksStateStore());
  db->db_.reset(raw);
  std::vector<std::string> names;
  for (const auto& descriptor : descriptors) names.push_back(descriptor.name);
  db->AdoptHandles(names, handles);
  if (Status schema = CheckSchemaVersion(*db, /*stamp=*/true); !schema.ok()) return schema;
  *out = std::move(db);
  return Status::Ok();
}

Status RocksStateStore::OpenReadOnly(const std::string& path, ReadOnlyMode mode,
                                     std::unique_ptr<RocksStateStore>* out) {
  std::vector<std::string> names;
  rocksdb::Status listed = rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), path, &names);
  if (!listed.ok()) return Status::NotFound("no state DB in " + path + ": " + listed.ToString());
  // Families a read-write open would create are missing from a DB that an older tuskd wrote;
  // they read as empty (handle() is null). Without uploads, it is no tuskd DB at all.
  if (std::find(names.begin(), names.end(), FamilyName(Family::kUploads)) == names.end()) {
    return Status::Invalid("state DB in " + path + " has no column family 'uploads'");
  }
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const std::string& name : names) descriptors.emplace_back(name, FamilyOptions());
  rocksdb::DBOptions options;
  options.info_log = std::make_shared<DiscardingLogger>();
  std::unique_ptr<RocksStateStore> db(new RocksStateStore());
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
  if (Status schema = CheckSchemaVersion(*db, /*stamp=*/false); !schema.ok()) return schema;
  *out = std::move(db);
  return Status::Ok();
}

void RocksStateStore::AdoptHandles(const std::vector<std::string>& names,
                                   const std::vector<rocksdb::ColumnFamilyHandle*>& handles) {
  handles_.assign(kFamilyCount, nullptr);
  const std::vector<std::string> ours = OurFamilies();
  for (size_t i = 0; i < handles.size(); ++i) {
    const std::string& name = names[i];
    auto known = std::find(ours.begin(), ours.end(), name);
    if (known != ours.end()) {
      handles_[known - ours.begin()] = handles[i];
    } else if (name == rocksdb::kDefaultColumnFamilyName) {
      default_handle_ = handles[i];
    } else {
      extra_handles_.push_back(handles[i]);
    }
  }
}

RocksStateStore::~RocksStateStore() {
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

Status RocksStateStore::CatchUp() {
  if (read_only_ != ReadOnlyMode::kSecondary) return Status::Ok();
  return FromRocks(db_->TryCatchUpWithPrimary(), "catch up with the writer");
}

Status RocksStateStore::Get(Family family, std::string_view key, std::string* value) const {
  if (handle(family) == nullptr) return Status::NotFound(std::string(key));  // see OpenReadOnly
  rocksdb::Status status = db_->Get(rocksdb::ReadOptions(), handle(family),
                                    rocksdb::Slice(key.data(), key.size()), value);
  if (status.IsNotFound()) return Status::NotFound(std::string(key));
  return FromRocks(status, "RocksDB get");
}

Status RocksStateStore::Write(const StateBatch& batch) {
  rocksdb::WriteBatch writes;
  for (const StateBatch::Op& op : batch.ops()) {
    rocksdb::ColumnFamilyHandle* family = handle(op.family);
    if (family == nullptr)
      return Status::Invalid("no family " + std::string(FamilyName(op.family)));
    rocksdb::Status staged = op.kind == StateBatch::Op::Kind::kPut
                                 ? writes.Put(family, op.key, op.value)
                                 : writes.Delete(family, op.key);
    if (!staged.ok()) return FromRocks(staged, "RocksDB batch");
  }
  rocksdb::WriteOptions options;
  options.sync = true;
  return FromRocks(db_->Write(options, &writes), "RocksDB synced write");
}

std::unique_ptr<rocksdb::Iterator> RocksStateStore::NewIterator(Family family) const {
  if (handle(family) == nullptr) {
    return std::unique_ptr<rocksdb::Iterator>(rocksdb::NewEmptyIterator());
  }
  return std::unique_ptr<rocksdb::Iterator>(
      db_->NewIterator(rocksdb::ReadOptions(), handle(family)));
}

Status RocksStateStore::Scan(Family family, std::string_view prefix, std::string_view from,
                             const ScanVisitor& visit) const {
  std::unique_ptr<rocksdb::Iterator> it = NewIterator(family);
  const rocksdb::Slice start = from > prefix ? from : prefix;
  for (it->Seek(start); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    if (!visit(it->key().ToStringView(), it->value().ToStringView())) break;
  }
  return FromRocks(it->status(), "scan of " + std::string(FamilyName(family)));
}

Status RocksStateStore::FindLastAtOrBefore(Family family, std::string_view prefix,
                                           std::string_view key, std::string* found_key,
                                           std::string* value) const {
  std::unique_ptr<rocksdb::Iterator> it = NewIterator(family);
  it->SeekForPrev(rocksdb::Slice(key.data(), key.size()));
  if (!it->Valid() || !it->key().starts_with(prefix)) {
    if (Status failed = FromRocks(it->status(), "seek in " + std::string(FamilyName(family)));
        !failed.ok()) {
      return failed;
    }
    return Status::NotFound("no key at or below the one asked for");
  }
  found_key->assign(it->key().data(), it->key().size());
  value->assign(it->value().data(), it->value().size());
  return Status::Ok();
}

}  // namespace tuskd::store
