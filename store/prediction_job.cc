#include "store/prediction_job.h"

namespace tuskd::store {

using nlohmann::json;

nlohmann::json JobToJson(const PredictionJob& job) {
  return json{{"sha256", job.sha256},         {"uploads", job.uploads},
              {"attempts", job.attempts},     {"next_attempt_at", job.next_attempt_at},
              {"created_at", job.created_at}, {"last_error", job.last_error}};
}

bool JobFromJson(const nlohmann::json& j, PredictionJob* job) {
  try {
    job->sha256 = j.at("sha256").get<std::string>();
    job->uploads = j.at("uploads").get<std::vector<std::string>>();
    job->attempts = j.value("attempts", 0);
    job->next_attempt_at = j.value("next_attempt_at", int64_t{0});
    job->created_at = j.value("created_at", int64_t{0});
    job->last_error = j.value("last_error", std::string());
    return true;
  } catch (const json::exception&) {
    return false;
  }
}

}  // namespace tuskd::store
