#include "tcpsight/views/text_format.hpp"
#include "tcpsight/views/printable.hpp"

#include "tcpsight/model/errno_name.hpp"
#include "tcpsight/pipeline/explain.hpp"
#include "views/append.hpp"

#include <algorithm>
#include <ctime>

namespace tcpsight {
namespace {

using detail::append_left;
using detail::append_right;

// Column widths. Endpoints fit "255.255.255.255:65535"; IPv6 ones may run longer.
constexpr std::size_t kTimeWidth = 15;
constexpr std::size_t kPidWidth = 7;
constexpr std::size_t kCommWidth = 16;
constexpr std::size_t kEndpointWidth = 22;
constexpr std::size_t kEventWidth = 26;
constexpr std::size_t kMsWidth = 9;

// The text of a column, held in place.
struct Cell {
  char chars[64];
  std::size_t size = 0;

  std::string_view view() const { return {chars, size}; }
  void add(std::string_view text) {
    const auto n = std::min(text.size(), sizeof chars - size);
    std::copy_n(text.data(), n, chars + size);
    size += n;
  }
};

Cell ms_cell(const std::optional<std::uint64_t>& ns) {
  Cell cell;
  if (!ns) {
    cell.add("-");
    return cell;
  }
  std::string text;
  detail::append_ms(text, *ns);
  cell.add(text);
  return cell;
}

Cell event_cell(const Event& e) {
  Cell cell;
  switch (e.type) {
  case EventType::Transition:
    cell.add(tcp_state_name(e.old_state));
    cell.add(" -> ");
    cell.add(tcp_state_name(e.new_state));
    break;
  case EventType::ResetSent:
    cell.add("RST sent");
    break;
  case EventType::ResetReceived:
    cell.add("RST received");
    break;
  case EventType::SynRetransmit:
    cell.add("SYN retransmit");
    break;
  case EventType::SynAckRetransmit:
    cell.add("SYN-ACK retransmit");
    break;
  case EventType::Drop:
    cell.add(e.drop && e.drop->outgoing ? "DROP outgoing" : "DROP");
    break;
  case EventType::Retransmit:
    cell.add("retransmit");
    break;
  }
  return cell;
}

// " confirmed between=-850.000ms..+12.000ms": when the kernel's answer
// places the transition, around the event's time.
void append_confirmation(std::string& out, std::uint64_t ts_ns, const TimeBounds& bounds) {
  out += " confirmed between=-";
  detail::append_ms(out, ts_ns - std::min(ts_ns, bounds.not_before_ns));
  out += "ms..+";
  detail::append_ms(out, std::max(ts_ns, bounds.not_after_ns) - ts_ns);
  out += "ms";
}

void append_drop_details(std::string& out, const Event& e) {
  const auto& drop = *e.drop;
  out += " reason=";
  out += printable_text(drop.reason);
  if (e.new_state != TcpState{}) { // known where the kernel had found the socket
    out += " state=";
    out += tcp_state_name(e.new_state);
  }
  if (drop.accept_queue) {
    out += " accept_queue=";
    detail::append_uint(out, drop.accept_queue->length);
    out += '/';
    detail::append_uint(out, drop.accept_queue->backlog);
  }
  if (drop.listen_overflow)
    out += " seen_at_retransmit";
}

void append_details(std::string& out, const Event& e, bool explain_it) {
  if (e.handshake_ns) {
    out += " handshake=";
    detail::append_ms(out, *e.handshake_ns);
    out += "ms";
  }
  if (e.reason != Reason::None) {
    out += " reason=";
    out += reason_name(e.reason);
  }
  if (e.type == EventType::Retransmit) {
    out += " seq=";
    detail::append_uint(out, e.seq);
    out += " segments=";
    detail::append_uint(out, e.segments);
    out += " state=";
    out += tcp_state_name(e.new_state);
  }
  if (e.drop)
    append_drop_details(out, e);
  if (e.error != 0) {
    out += " error=";
    out += errno_name(e.error);
  }
  if (e.drops)
    detail::append_drops(out, e.drops->count, e.drops->last_reason);
  if (e.inferred) {
    out += " inferred";
    if (e.confirmed)
      append_confirmation(out, e.ts_ns, *e.confirmed);
    out += " expires_in=";
    detail::append_uint(out, kTimeWaitNs / 1'000'000'000);
    out += 's';
  }
  if (e.handover)
    out += " handover=fin_wait2";
  if (e.recovered)
    out += " recovered";
  if (e.no_socket)
    out += " no_socket";
  if (explain_it) {
    out += "  # ";
    out += explain(e);
  }
}

// Local "HH:MM:SS.uuuuuu".
void append_time_of_day(std::string& out, std::int64_t realtime_ns) {
  thread_local detail::SecondText hms("%H:%M:%S", /*utc=*/false);
  out += hms.of(realtime_ns / 1'000'000'000);
  out += '.';
  detail::append_zero_padded(out, static_cast<std::uint64_t>(realtime_ns % 1'000'000'000) / 1000,
                             6);
}

void append_pid(std::string& out, const Event& e) {
  const auto start = out.size();
  if (e.owner)
    detail::append_uint(out, e.owner->pid);
  else
    out += '-';
  const auto written = out.size() - start;
  if (written < kPidWidth)
    out.append(kPidWidth - written, ' ');
}

} // namespace

std::string text_header() {
  std::string out;
  for (const auto& [name, width] : {std::pair{"TIME", kTimeWidth},
                                    {"PID", kPidWidth},
                                    {"COMM", kCommWidth},
                                    {"LOCAL", kEndpointWidth},
                                    {"REMOTE", kEndpointWidth},
                                    {"EVENT", kEventWidth}}) {
    append_left(out, name, width);
    out += ' ';
  }
  append_right(out, "MS_IN_OLD", kMsWidth);
  out += " DETAILS\n";
  return out;
}

void append_text_row(std::string& out, const Event& e, WallTime time, bool explain_it) {
  append_time_of_day(out, time.ns);
  out += ' ';
  append_pid(out, e);
  out += ' ';
  append_left(out, e.owner ? printable_text(e.owner->comm) : "-", kCommWidth);
  out += ' ';
  append_left(out, endpoint_text(e.id.local, e.id.local_port).view(), kEndpointWidth);
  out += ' ';
  append_left(out, endpoint_text(e.id.remote, e.id.remote_port).view(), kEndpointWidth);
  out += ' ';
  append_left(out, event_cell(e).view(), kEventWidth);
  out += ' ';
  append_right(out, ms_cell(e.type == EventType::Transition ? e.ns_in_old : std::nullopt).view(),
               kMsWidth);
  append_details(out, e, explain_it);
  out += '\n';
}

std::string format_time_of_day(WallTime time) {
  std::string out;
  append_time_of_day(out, time.ns);
  return out;
}

} // namespace tcpsight
