#include "tcpsight/model/event.hpp"

namespace tcpsight {

std::string_view event_type_name(EventType type) {
  switch (type) {
  case EventType::Transition:
    return "transition";
  case EventType::ResetSent:
    return "reset_sent";
  case EventType::ResetReceived:
    return "reset_received";
  case EventType::SynRetransmit:
    return "syn_retransmit";
  case EventType::SynAckRetransmit:
    return "synack_retransmit";
  case EventType::Drop:
    return "drop";
  case EventType::Retransmit:
    return "retransmit";
  }
  return "unknown";
}

std::string_view reason_name(Reason reason) {
  switch (reason) {
  case Reason::None:
    return "";
  case Reason::Refused:
    return "refused";
  case Reason::TimedOut:
    return "timed_out";
  case Reason::ResetReceived:
    return "reset_received";
  case Reason::ResetSent:
    return "reset_sent";
  case Reason::Aborted:
    return "aborted";
  case Reason::Failed:
    return "failed";
  case Reason::Destroyed:
    return "destroyed";
  }
  return "";
}

} // namespace tcpsight
