#pragma once

#include "tcpsight/history/history_store.hpp"

#include <string>
#include <vector>

namespace tcpsight {

// `tcpsight history --summary`: the connections per outcome, then per
// remote endpoint (busiest first), as two tables or as JSON lines
// ({"type":"outcome_count", ...} and {"type":"remote_count", ...}).
// The rows themselves are life's (life_view.hpp).
void append_history_summary(std::string& out, const std::vector<HistoryStore::Count>& outcomes,
                            const std::vector<HistoryStore::Count>& remotes);
void append_history_summary_json(std::string& out, const std::vector<HistoryStore::Count>& outcomes,
                                 const std::vector<HistoryStore::Count>& remotes);

} // namespace tcpsight
