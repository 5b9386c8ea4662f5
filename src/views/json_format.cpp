#include "tcpsight/views/json_format.hpp"

#include "tcpsight/model/errno_name.hpp"
#include "tcpsight/pipeline/explain.hpp"
#include "tcpsight/views/json_writer.hpp"
#include "views/append.hpp"
#include "views/json_members.hpp"

namespace tcpsight {
namespace {

void number_or_null(JsonWriter& json, std::uint64_t value) {
  if (value)
    json.number(value);
  else
    json.null();
}

void write_states(JsonWriter& json, const Event& e) {
  if (e.type != EventType::Transition) {
    json.key<"state">();
    if (e.new_state != TcpState{})
      json.plain_string(tcp_state_name(e.new_state));
    else
      json.null(); // a drop for which the kernel had found no socket
    return;
  }
  json.key<"old">().plain_string(tcp_state_name(e.old_state));
  json.key<"new">().plain_string(tcp_state_name(e.new_state));
  json.key<"ms_in_old">().milliseconds_or_null(e.ns_in_old);
  json.key<"handshake_ms">().milliseconds_or_null(e.handshake_ns);
  json.key<"inferred">().boolean(e.inferred);
  json.key<"recovered">().boolean(e.recovered);
  if (e.inferred) {
    json.key<"expires_in_ms">().number(kTimeWaitNs / 1'000'000);
    if (e.confirmed) {
      json.key<"confirmed">().boolean(true);
      json.key<"not_before_ns">().number(e.confirmed->not_before_ns);
      json.key<"not_after_ns">().number(e.confirmed->not_after_ns);
    }
  }
  if (e.handover)
    json.key<"handover">().plain_string("fin_wait2");
  if (e.totals) {
    json.key<"tx_bytes">().number(e.totals->tx_bytes).key<"rx_bytes">().number(e.totals->rx_bytes);
    json.key<"retransmits">().number(e.totals->retransmits);
    json.key<"srtt_us">();
    number_or_null(json, e.totals->srtt_us);
    json.key<"min_rtt_us">();
    number_or_null(json, e.totals->min_rtt_us); // 0: no sample
  }
  if (e.closes_socket)
    detail::write_drop_members(json, e.drops.value_or(ConnectionDrops{}));
}

void write_outcome(JsonWriter& json, const Event& e) {
  json.key<"reason">();
  if (e.reason != Reason::None)
    json.plain_string(reason_name(e.reason));
  else
    json.null();
  json.key<"error">();
  if (e.error != 0)
    json.plain_string(errno_name(e.error));
  else
    json.null();
  if (e.no_socket)
    json.key<"no_socket">().boolean(true);
  if (e.type == EventType::Retransmit)
    json.key<"seq">().number(e.seq).key<"segments">().number(e.segments);
  if (e.drop) {
    json.key<"drop_reason">().string(e.drop->reason);
    json.key<"outgoing">().boolean(e.drop->outgoing);
    json.key<"reported_by_kernel">().boolean(!e.drop->listen_overflow);
    if (e.drop->accept_queue) {
      json.key<"accept_queue">().number(e.drop->accept_queue->length);
      json.key<"backlog">().number(e.drop->accept_queue->backlog);
    }
  }
}

// UTC "YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ".
void append_iso8601_utc(std::string& out, std::int64_t realtime_ns) {
  thread_local detail::SecondText date_time("%Y-%m-%dT%H:%M:%S", /*utc=*/true);
  out += date_time.of(realtime_ns / 1'000'000'000);
  out += '.';
  detail::append_zero_padded(out, static_cast<std::uint64_t>(realtime_ns % 1'000'000'000), 9);
  out += 'Z';
}

} // namespace

void append_event_json(std::string& out, const Event& e, WallTime time, bool explain_it,
                       const CgroupInfo* cgroup) {
  JsonWriter json(out);
  json.begin_object();
  json.key<"type">().plain_string(event_type_name(e.type));
  json.key<"ts_ns">().number(e.ts_ns);
  json.key<"time">().plain_string_from(
      [&](std::string& text) { append_iso8601_utc(text, time.ns); });
  json.key<"sock_id">().number(e.id.sock_id).key<"netns">().number(e.id.netns);
  detail::write_owner_members(json, e.owner, cgroup);
  detail::write_endpoint_members(json, e.id);
  write_states(json, e);
  write_outcome(json, e);
  if (explain_it)
    json.key<"explain">().string(explain(e));
  json.end_object().end_line();
}

std::string lost_events_json(std::uint64_t count) {
  std::string out;
  JsonWriter(out)
      .begin_object()
      .key<"type">()
      .plain_string("lost_events")
      .key<"count">()
      .number(count)
      .end_object()
      .end_line();
  return out;
}

std::string format_iso8601_utc(WallTime time) {
  std::string out;
  append_iso8601_utc(out, time.ns);
  return out;
}

} // namespace tcpsight
