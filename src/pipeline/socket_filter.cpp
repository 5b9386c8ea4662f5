#include "tcpsight/pipeline/socket_filter.hpp"

#include "model/parse_number.hpp"
#include "tcpsight/model/error.hpp"

#include <fnmatch.h>

#include <algorithm>
#include <fmt/format.h>
#include <functional>

namespace tcpsight {

using detail::parse_number;

// A parsed expression. As in ss, and and or have no precedence: a chain of
// operands joined by either is read left to right ("a or b and c" is "(a or
// b) and c"). A chain is one wide node, so only parentheses make the tree
// deeper.
struct SocketFilter::Node {
  bool negated = false;
  std::function<bool(const SocketRow&)> test; // a condition; empty for a chain
  std::vector<Node> operands;                 // a chain
  std::vector<bool> joined_by_and;            // between operand i and i + 1: and, else or

  bool matches(const SocketRow& row) const { return matches_unnegated(row) != negated; }

private:
  bool matches_unnegated(const SocketRow& row) const {
    if (test)
      return test(row);
    bool value = operands.front().matches(row);
    for (std::size_t i = 1; i < operands.size(); ++i)
      value = joined_by_and[i - 1] ? value && operands[i].matches(row)
                                   : value || operands[i].matches(row);
    return value;
  }
};

namespace {

using enum TcpState;
using Test = std::function<bool(const SocketRow&)>;

// A word of the filter as an error message quotes it: a hostile one may be
// a megabyte long, so at most 40 bytes of it, cut between characters.
std::string shown(std::string_view word) {
  constexpr std::size_t kMost = 40;
  if (word.size() <= kMost)
    return std::string(word);
  std::size_t cut = kMost;
  while (cut > 0 && (static_cast<unsigned char>(word[cut]) & 0xc0) == 0x80)
    --cut;
  return std::string(word.substr(0, cut)) + "...";
}

std::vector<TcpState> states_named(const std::string& name) {
  static const std::vector<std::pair<std::string, std::vector<TcpState>>> kNames{
      {"established", {Established}},
      {"syn-sent", {SynSent}},
      {"syn-recv", {SynRecv}},
      {"fin-wait-1", {FinWait1}},
      {"fin-wait-2", {FinWait2}},
      {"time-wait", {TimeWait}},
      {"closed", {Close}},
      {"close-wait", {CloseWait}},
      {"last-ack", {LastAck}},
      {"listening", {Listen}},
      {"closing", {Closing}},
      {"all",
       {Established, SynSent, SynRecv, FinWait1, FinWait2, TimeWait, Close, CloseWait, LastAck,
        Listen, Closing}},
      {"connected",
       {Established, SynSent, SynRecv, FinWait1, FinWait2, TimeWait, CloseWait, LastAck, Closing}},
      {"synchronized",
       {Established, SynRecv, FinWait1, FinWait2, TimeWait, CloseWait, LastAck, Closing}},
      // The kernel's minisockets, and the full sockets.
      {"bucket", {SynRecv, TimeWait}},
      {"big",
       {Established, SynSent, FinWait1, FinWait2, Close, CloseWait, LastAck, Listen, Closing}},
  };
  std::string lower = name;
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  for (const auto& [known, states] : kNames)
    if (known == lower)
      return states;
  // netstat's spellings: FIN_WAIT1, TIME_WAIT, LISTEN, ...
  std::replace(lower.begin(), lower.end(), '-', '_');
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  for (const auto& state : tcp_states())
    if (state.name == lower)
      return {state.state};
  throw Error(fmt::format("filter: '{}' is not a state (established, time-wait, listening, "
                          "connected, ...)",
                          shown(name)));
}

// The comparison op names, if it names one.
std::optional<std::function<bool(long, long)>> comparison(const std::string& op) {
  if (op == "=" || op == "==" || op == "eq")
    return std::equal_to<long>();
  if (op == "!=" || op == "ne" || op == "neq")
    return std::not_equal_to<long>();
  if (op == "<" || op == "lt")
    return std::less<long>();
  if (op == ">" || op == "gt")
    return std::greater<long>();
  if (op == "<=" || op == "le" || op == "leq")
    return std::less_equal<long>();
  if (op == ">=" || op == "ge" || op == "geq")
    return std::greater_equal<long>();
  return std::nullopt;
}

// :443, 443, or a service's name (:ssh, https).
long port_of(const std::string& text, const FilterNames& names) {
  const auto name = text.empty() || text[0] != ':' ? text : text.substr(1);
  if (const auto port = parse_number<long>(name)) {
    if (*port < 0 || *port > 65535)
      throw Error(fmt::format("filter: '{}' is not a port (0 to 65535)", shown(text)));
    return *port;
  }
  if (!name.empty() && names.port)
    if (const auto port = names.port(name))
      return *port;
  throw Error(
      fmt::format("filter: '{}' is not a port (:443, or a service such as :ssh)", shown(text)));
}

// ss reads its filter word by word, however the shell split it: a filter
// quoted as one argument is the same words.
bool is_state_word(const std::string& word) {
  return word == "state" || word == "exclude" || word == "excl";
}

std::vector<std::string> words_of(const std::vector<std::string>& arguments) {
  std::vector<std::string> words;
  for (const auto& argument : arguments) {
    std::size_t at = 0;
    while ((at = argument.find_first_not_of(" \t\n", at)) != std::string::npos) {
      const auto end = argument.find_first_of(" \t\n", at);
      words.push_back(argument.substr(at, end - at));
      at = end;
    }
  }
  return words;
}

// An IPv4 address of fewer than four decimal parts, as iproute2 also takes
// them: the parts left out are zero (10.1/16 is 10.1.0.0/16).
std::string with_every_ipv4_part(const std::string& host) {
  const auto dots = std::count(host.begin(), host.end(), '.');
  if (host.empty() || dots > 2 || host.find_first_not_of("0123456789.") != std::string::npos)
    return host;
  std::string whole = host;
  for (auto part = dots; part < 3; ++part)
    whole += ".0";
  return whole;
}

// A unix socket's name, as ss matches it: a shell pattern (/run/*.sock,
// @name*), in either case, over the socket's path; over its peer's, which neither tool
// knows, for dst: there only a pattern that matches no name ("*") matches.
Test unix_name_test(std::string pattern, bool local) {
  return [pattern = std::move(pattern), local](const SocketRow& row) {
    if (row.protocol != Protocol::Unix)
      return false;
    const std::string name = local ? row.unix_path : "";
    return fnmatch(pattern.c_str(), name.c_str(), FNM_CASEFOLD) == 0;
  };
}

// ADDRESS[/PREFIX][:PORT] or [ADDRESS][/PREFIX][:PORT] for IPv6; * for any address.
Test address_test(const std::string& text, bool local, const FilterNames& names) {
  std::string host = text;
  std::optional<long> port;
  if (!host.empty() && host[0] == '[') {
    // [ADDRESS], then an optional /PREFIX, then an optional :PORT.
    const auto close = host.find(']');
    if (close == std::string::npos)
      throw Error(fmt::format("filter: '{}' lacks its ']'", shown(text)));
    auto rest = host.substr(close + 1);
    host = host.substr(1, close - 1);
    if (!rest.empty() && rest[0] == '/') {
      const auto colon = rest.find(':');
      host += rest.substr(0, colon);
      rest = colon == std::string::npos ? "" : rest.substr(colon);
    }
    if (!rest.empty() && rest[0] == ':')
      port = port_of(rest.substr(1), names);
    else if (!rest.empty())
      throw Error(fmt::format("filter: '{}' has '{}' after its address", shown(text), shown(rest)));
  } else if (std::count(host.begin(), host.end(), ':') == 1) {
    port = port_of(host.substr(host.find(':') + 1), names);
    host = host.substr(0, host.find(':'));
  }
  int prefix = -1;
  if (const auto slash = host.find('/'); slash != std::string::npos) {
    const auto bits = parse_number<int>(host.substr(slash + 1));
    if (!bits || *bits < 0 || *bits > 128)
      throw Error(fmt::format("filter: '{}' has a bad prefix length", shown(text)));
    prefix = *bits;
    host = host.substr(0, slash);
  }
  std::optional<IpAddress> address;
  if (host.empty() && !port)
    throw Error(fmt::format("filter: '{}' is not an address (10.0.0.0/8, [::1]:22, *:22, ...)",
                            shown(text)));
  if (host != "*" && !host.empty()) {
    address = parse_ip_address(with_every_ipv4_part(host));
    if (!address)
      throw Error(
          fmt::format("filter: '{}' is not an address (10.0.0.0/8, [::1]:22, ...)", shown(text)));
    const int bits = address->family == AddressFamily::IPv4 ? 32 : 128;
    if (prefix > bits)
      throw Error(fmt::format("filter: '{}' has a prefix longer than {} bits", shown(text), bits));
    if (prefix < 0)
      prefix = bits;
  }
  std::optional<IpNetwork> network;
  if (address)
    network = IpNetwork{.address = *address, .prefix_bits = prefix};
  return [=](const SocketRow& row) {
    const auto& end = local ? row.id.local : row.id.remote;
    const auto end_port = local ? row.id.local_port : row.id.remote_port;
    if (row.protocol == Protocol::Unix)
      return false;
    if (port && end_port != *port)
      return false;
    return !network || network->contains(end);
  };
}

// dev NAME or INDEX: sockets bound to that device. Only sock_diag tells it:
// from another source neither = nor != matches.
Test device_test(bool equal, const std::string& name, const FilterNames& names) {
  auto index = parse_number<std::uint32_t>(name);
  if (!index && names.device_index)
    index = names.device_index(name);
  if (!index)
    throw Error(fmt::format("filter: '{}' is not a network device here", shown(name)));
  return [equal, index = *index](const SocketRow& row) {
    return row.bound_interface && (*row.bound_interface == index) == equal;
  };
}

// fwmark MARK[/MASK], numbers in decimal or 0x hex: sockets whose mark,
// masked, is MARK. The kernel tells marks to CAP_NET_ADMIN only; without
// them nothing matches.
Test mark_test(bool equal, const std::string& text) {
  const auto number = [](std::string_view digits) {
    return digits.starts_with("0x") ? parse_number<std::uint32_t>(digits.substr(2), 16)
                                    : parse_number<std::uint32_t>(digits);
  };
  const auto slash = text.find('/');
  const auto mark = number(std::string_view(text).substr(0, slash));
  const auto mask = slash == std::string::npos ? std::optional<std::uint32_t>(~0u)
                                               : number(std::string_view(text).substr(slash + 1));
  if (!mark || !mask)
    throw Error(fmt::format("filter: '{}' is not a mark (0x10, or 0x10/0xff)", shown(text)));
  return [equal, mark = *mark, mask = *mask](const SocketRow& row) {
    return row.mark && ((*row.mark & mask) == mark) == equal;
  };
}

// cgroup PATH, as ss takes it (from the cgroup v2 root: /system.slice), a
// directory of the cgroup v2 mount or an id: sockets made in that cgroup.
Test cgroup_test(bool equal, const std::string& path, const FilterNames& names) {
  auto id = parse_number<std::uint64_t>(path);
  if (!id && names.cgroup_id)
    id = names.cgroup_id(path);
  if (!id || *id == 0) // 0: a socket whose cgroup is not known
    throw Error(fmt::format("filter: '{}' is not a cgroup here", shown(path)));
  return [equal, id = *id](const SocketRow& row) { return (row.cgroup_id == id) == equal; };
}

// Recursive descent over the words: or-expressions of and-expressions of
// terms. It recurses only into parentheses, as deep as kMaxNesting, so a
// hostile filter cannot exhaust the stack, and it builds no copies of what
// it has parsed, so its time is linear in the words.
class Parser {
public:
  using Node = SocketFilter::Node;

  static constexpr std::size_t kMaxNesting = 64;

  Parser(const std::vector<std::string>& words, std::size_t start, const FilterNames& names,
         bool unix_addresses)
      : words_(words), at_(start), names_(names), unix_addresses_(unix_addresses) {}

  // Whether a dev condition named its device (resolved in this namespace).
  bool named_a_device() const { return named_a_device_; }

  Node parse() {
    auto node = parse_chain();
    if (at_ < words_.size())
      throw Error(fmt::format("filter: did not expect '{}' there", shown(words_[at_])));
    return node;
  }

private:
  bool next_is(std::string_view word) const { return at_ < words_.size() && words_[at_] == word; }

  const std::string& take(const char* what) {
    if (at_ >= words_.size())
      throw Error(fmt::format("filter: {} is missing at the end", what));
    return words_[at_++];
  }

  // Terms joined by and (also side by side) or or, up to a ')' or the end.
  Node parse_chain() {
    Node chain;
    chain.operands.push_back(parse_term());
    while (at_ < words_.size() && !next_is(")")) {
      const bool by_or = next_is("or") || next_is("||") || next_is("|");
      if (by_or || next_is("and") || next_is("&&") || next_is("&"))
        ++at_;
      chain.joined_by_and.push_back(!by_or);
      chain.operands.push_back(parse_term());
    }
    if (chain.operands.size() == 1)
      return std::move(chain.operands.front());
    return chain;
  }

  Node parse_term() {
    bool negated = false;
    while (next_is("not") || next_is("!")) {
      ++at_;
      negated = !negated;
    }
    Node node = parse_operand();
    node.negated = node.negated != negated;
    return node;
  }

  Node parse_operand() {
    const auto& word = take("a condition");
    if (word == "(")
      return parse_parenthesized();
    return Node{.test = condition(word)};
  }

  Node parse_parenthesized() {
    if (++depth_ > kMaxNesting)
      throw Error(fmt::format("filter: parentheses nest deeper than {} levels", kMaxNesting));
    Node inner = parse_chain();
    if (take("')'") != ")")
      throw Error("filter: a '(' is not closed");
    --depth_;
    return inner;
  }

  Test condition(const std::string& word) {
    if (word == "sport" || word == "dport") {
      // The comparison may be left out: equal.
      std::function<bool(long, long)> compare = std::equal_to<long>();
      if (at_ < words_.size())
        if (auto named = comparison(words_[at_])) {
          compare = std::move(*named);
          ++at_;
        }
      const long port = port_of(take("a port"), names_);
      const bool local = word == "sport";
      return [compare, port, local](const SocketRow& row) {
        return row.protocol != Protocol::Unix &&
               compare(local ? row.id.local_port : row.id.remote_port, port);
      };
    }
    if (word == "src" || word == "dst") {
      auto value = take("an address");
      if (value == "=" || value == "==" || value == "eq")
        value = take("an address");
      if (value.starts_with("unix:"))
        return unix_name_test(value.substr(5), word == "src");
      if (unix_addresses_)
        return unix_name_test(value, word == "src");
      return address_test(value, word == "src", names_);
    }
    if (word == "dev" || word == "fwmark" || word == "cgroup") {
      const bool equal = equality();
      const auto& value = take(word == "dev"      ? "a device"
                               : word == "fwmark" ? "a mark"
                                                  : "a cgroup");
      if (word == "dev" && !parse_number<std::uint32_t>(value))
        named_a_device_ = true;
      return word == "dev"      ? device_test(equal, value, names_)
             : word == "fwmark" ? mark_test(equal, value)
                                : cgroup_test(equal, value, names_);
    }
    if (word == "autobound")
      throw Error("filter: autobound is not supported (the kernel does not say which ports were "
                  "bound automatically)");
    throw Error(fmt::format("filter: '{}' is not a condition (state, sport, dport, src, dst, dev, "
                            "fwmark, cgroup, not, and, or, parentheses)",
                            shown(word)));
  }

  // An optional = or != after dev, fwmark and cgroup: whether it is equal that is asked.
  bool equality() {
    if (next_is("!=") || next_is("ne") || next_is("neq")) {
      ++at_;
      return false;
    }
    if (next_is("=") || next_is("==") || next_is("eq"))
      ++at_;
    return true;
  }

  const std::vector<std::string>& words_;
  std::size_t at_;
  std::size_t depth_ = 0;
  const FilterNames& names_;
  bool unix_addresses_;
  bool named_a_device_ = false;
};

} // namespace

SocketFilter::SocketFilter() = default;
SocketFilter::~SocketFilter() = default;
SocketFilter::SocketFilter(SocketFilter&&) noexcept = default;
SocketFilter& SocketFilter::operator=(SocketFilter&&) noexcept = default;

SocketFilter SocketFilter::parse(const std::vector<std::string>& arguments,
                                 const FilterNames& names, Addresses addresses) {
  const auto words = words_of(arguments);
  SocketFilter filter;
  std::size_t at = 0;
  // As ss: the first `state` starts from none, the first `exclude` from all.
  for (; at < words.size() && is_state_word(words[at]); at += 2) {
    if (at + 1 >= words.size())
      throw Error(fmt::format("filter: '{}' needs a state after it", words[at]));
    const bool exclude = words[at] != "state";
    if (!filter.states_)
      filter.states_ = exclude ? states_named("all") : std::vector<TcpState>{};
    auto& states = *filter.states_;
    for (auto state : states_named(words[at + 1])) {
      const auto found = std::find(states.begin(), states.end(), state);
      if (exclude && found != states.end())
        states.erase(found);
      else if (!exclude && found == states.end())
        states.push_back(state);
    }
  }
  if (at < words.size()) {
    Parser parser(words, at, names, addresses == Addresses::UnixNames);
    filter.expression_ = std::make_unique<Node>(parser.parse());
    filter.names_devices_ = parser.named_a_device();
  }
  return filter;
}

bool SocketFilter::matches(const SocketRow& row) const {
  if (states_ && std::find(states_->begin(), states_->end(), row.state) == states_->end())
    return false;
  return !expression_ || expression_->matches(row);
}

} // namespace tcpsight
