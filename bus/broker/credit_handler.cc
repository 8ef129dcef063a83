// Credit: more room for deliveries on the agency's session.
#include "bus/broker/handlers.h"

namespace docbus::broker {

void HandleCredit(Turn& turn, const Inbound& in, Session& session,
                  const v1::Credit& credit) {
  if (session.peer.connection != in.peer.connection) {
    // Credit from an older connection of the same agency is about a pipe
    // that is not the one deliveries go to now.
    return;
  }
  SessionTable::AddCredit(session, static_cast<int64_t>(credit.count()),
                          static_cast<int64_t>(credit.bytes()),
                          turn.ctx.options.credit_count_max);
}

}  // namespace docbus::broker
