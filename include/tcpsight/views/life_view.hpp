#pragma once

#include "tcpsight/model/cgroup_name.hpp"
#include "tcpsight/model/connection_record.hpp"
#include "tcpsight/pipeline/record_filter.hpp"

#include <optional>
#include <string>
#include <vector>

namespace tcpsight {

// `tcpsight life`: one line per connection, tcplife's columns (PID, COMM,
// addresses and ports, TX, RX, MS) and more (end time, handshake, role,
// outcome, the path through the states).
// With cgroup_column, a CGROUP column after COMM: the name
// cgroup_display_name() gives, "-" where the cgroup is not known.
std::string life_header(bool cgroup_column = false);
void append_life_row(std::string& out, const WallConnectionRecord& record,
                     std::optional<const CgroupInfo*> cgroup_column = std::nullopt);

// One JSON object: {"type":"connection", ...}, with its trailing newline.
// cgroup: what the owner's cgroup id stands for, where it is known.
void append_life_json(std::string& out, const WallConnectionRecord& record,
                      const CgroupInfo* cgroup = nullptr);

// "SYN_SENT(0.052)>ESTABLISHED(12.1)>FIN_WAIT1(0.031)>FIN_WAIT2(0.040)>TIME_WAIT":
// each state with the milliseconds spent in it.
std::string path_text(const std::vector<StateStep>& path);

} // namespace tcpsight
