#include "vshard/agent/guest.h"

namespace vshard::agent {

const char* role_name(Role r) {
  switch (r) {
    case Role::kServer: return "server";
    case Role::kBatch: return "batch";
    case Role::kShardHelper: return "shard_helper";
  }
  return "?";
}

const char* exit_kind_name(ExitKind k) {
  switch (k) {
    case ExitKind::kWaitRequest: return "wait_request";
    case ExitKind::kResponded: return "responded";
    case ExitKind::kQueueEmpty: return "queue_empty";
    case ExitKind::kShardDone: return "shard_done";
    case ExitKind::kKicked: return "kicked";
    case ExitKind::kFault: return "fault";
  }
  return "?";
}

}  // namespace vshard::agent
