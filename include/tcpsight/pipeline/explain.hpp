#pragma once

#include "tcpsight/model/event.hpp"

#include <string_view>

namespace tcpsight {

// One line on what an interpreted event means in TCP terms: who sent which
// of SYN, ACK, FIN and RST, and whether the close is active or passive.
std::string_view explain(const Event& event);

} // namespace tcpsight
