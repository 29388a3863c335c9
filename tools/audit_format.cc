#include "tools/audit_format.h"

namespace ukairo::tools {

// Each kind's line is its Describe in ledger/event_kinds.cc (one table).
std::string DescribeEvent(const ledger::Event& event) {
  return ledger::DescribeEventBody(event.body);
}

std::string RequestIdOf(const ledger::Event& event) {
  return std::visit(
      [](const auto& body) -> std::string {
        if constexpr (requires { body.request_id; }) {
          return body.request_id;
        } else {
          return "";
        }
      },
      event.body);
}

}  // namespace ukairo::tools
