#pragma once

// An Output that keeps the events it is given, for tests of what reaches a view.

#include "tcpsight/views/output.hpp"

#include <vector>

namespace tcpsight::test {

class CollectingOutput final : public Output {
public:
  void event(const Event& e) override { events.push_back(e); }
  void lost_events(std::uint64_t) override {}

  std::vector<Event> events;
};

} // namespace tcpsight::test
