#pragma once

#include "tcpsight/model/event.hpp"

namespace tcpsight {

// What a raw kernel event means in TCP terms. Sets Event::reason, and turns
// the kernel's hand-over to a timewait socket (FIN_WAIT2 -> CLOSE or
// CLOSING -> CLOSE without a reset or an error) into the TIME_WAIT
// transition the kernel never reports, marked inferred.
Event interpret(Event event);

} // namespace tcpsight
