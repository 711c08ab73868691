// A store with helpers to complete uploads and read the completion pipeline's state, for the
// pipeline's own tests and for the prediction workers' (server) tests.
#pragma once

#include <string>
#include <string_view>

#include "store/completion_pipeline.h"
#include "tests/store/store_test_util.h"

namespace tuskd::store {

class CompletionPipelineTest : public StoreTest {
 protected:
  std::string Upload(std::string_view content) {
    UploadRecord record = CreateUpload(content.size());
    if (!content.empty()) AppendAndCommit(record.id, content);
    return record.id;
  }

  PredictionStatus StatusOf(const std::string& sha256) {
    PredictionStatus status;
    EXPECT_TRUE(store_->pipeline().StatusFor(sha256, &status).ok());
    return status;
  }

  bool CacheHit(const std::string& id) {
    UploadRecord record = GetRecord(id);
    return record.prediction.is_object() && record.prediction.value("cache_hit", false);
  }
};

}  // namespace tuskd::store
