#include "tcpsight/views/socket_summary_view.hpp"

#include "tcpsight/views/json_writer.hpp"

#include <fmt/format.h>

namespace tcpsight {
namespace {

using PerFamily = SocketSummary::PerFamily;

PerFamily inet(const SocketSummary& summary) {
  return {.ipv4 = summary.raw.ipv4 + summary.udp.ipv4 + summary.tcp.ipv4,
          .ipv6 = summary.raw.ipv6 + summary.udp.ipv6 + summary.tcp.ipv6};
}

void write_per_family(JsonWriter& json, const PerFamily& counts) {
  json.begin_object().key<"total">().number(counts.total());
  json.key<"ipv4">().number(counts.ipv4).key<"ipv6">().number(counts.ipv6).end_object();
}

} // namespace

std::string format_socket_summary(const SocketSummary& summary) {
  auto out = fmt::format("Total: {}\n", summary.sockets_used);
  out += fmt::format("TCP:   {} (estab {}, closed {}, orphaned {}, timewait {})\n\n",
                     summary.tcp_total(), summary.tcp_established, summary.tcp_closed(),
                     summary.tcp_orphaned, summary.tcp_time_wait);
  out += "Transport Total     IP        IPv6\n";
  const auto row = [&](const char* name, const PerFamily& counts) {
    out += fmt::format("{}\t  {:<9} {:<9} {:<9}\n", name, counts.total(), counts.ipv4, counts.ipv6);
  };
  row("RAW", summary.raw);
  row("UDP", summary.udp);
  row("TCP", summary.tcp);
  row("INET", inet(summary));
  row("FRAG", summary.fragments);
  out += "\n";
  return out;
}

void append_socket_summary_json(std::string& out, const SocketSummary& summary) {
  JsonWriter json(out);
  json.begin_object().key<"type">().plain_string("summary").key<"netns">().number(summary.netns);
  json.key<"sockets_used">().number(summary.sockets_used);
  json.key<"tcp">().begin_object().key<"total">().number(summary.tcp_total());
  json.key<"established">().number(summary.tcp_established);
  json.key<"closed">().number(summary.tcp_closed());
  json.key<"orphaned">().number(summary.tcp_orphaned);
  json.key<"time_wait">().number(summary.tcp_time_wait).end_object();
  json.key<"raw">();
  write_per_family(json, summary.raw);
  json.key<"udp">();
  write_per_family(json, summary.udp);
  json.key<"tcp_in_tables">();
  write_per_family(json, summary.tcp);
  json.key<"inet">();
  write_per_family(json, inet(summary));
  json.key<"fragments">();
  write_per_family(json, summary.fragments);
  json.end_object().end_line();
}

} // namespace tcpsight
