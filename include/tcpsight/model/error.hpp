#pragma once

#include <stdexcept>

namespace tcpsight {

// A failure the user can act on. main() prints what() on one line and exits
// non-zero, so the message must say what went wrong and what to do about it.
class Error : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

} // namespace tcpsight
