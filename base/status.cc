#include "base/status.h"

namespace ukairo {

const std::string& Status::message() const {
  static const std::string kEmpty;
  return rep_ ? rep_->message : kEmpty;
}

std::string Status::ToString() const {
  if (ok()) return "OK";
  const char* name = "Unknown";
  switch (rep_->code) {
    case Code::kOk: name = "OK"; break;
    case Code::kNotFound: name = "NotFound"; break;
    case Code::kCorruption: name = "Corruption"; break;
    case Code::kInvalidArgument: name = "InvalidArgument"; break;
    case Code::kIOError: name = "IOError"; break;
    case Code::kUnavailable: name = "Unavailable"; break;
    case Code::kFailedPrecondition: name = "FailedPrecondition"; break;
  }
  return std::string(name) + ": " + rep_->message;
}

}  // namespace ukairo
