#include "tcpsight/views/top_controls.hpp"

#include "tcpsight/kernel/system_filter_names.hpp"
#include "tcpsight/model/error.hpp"

#include <sstream>
#include <utility>
#include <vector>

namespace tcpsight {
namespace {

constexpr int kEscape = 27;
constexpr int kBackspace = 127;

TopColumn column_at(int index) {
  const int count = kTopColumnCount;
  return static_cast<TopColumn>(((index % count) + count) % count);
}

// The column a digit key sorts by: 1 the first, 0 the tenth; -1 for none.
int column_of_digit(int key) {
  if (key < '0' || key > '9')
    return -1;
  const int index = (key - '0' + 9) % 10;
  return index < kTopColumnCount ? index : -1;
}

} // namespace

TopViewOptions TopControls::view() const {
  return {.sort = sort_, .descending = descending_, .listeners = listeners_, .filter = &filter_};
}

TopControls::Action TopControls::handle(int key) {
  if (editing_)
    return edit(key);
  switch (key) {
  case 'q':
  case 'Q':
    return Action::Quit;
  case 'p':
  case ' ':
    paused_ = !paused_;
    break;
  case 'l':
    listeners_ = !listeners_;
    break;
  case 'n':
    names_ = !names_;
    break;
  case 'h':
  case '?':
    help_ = !help_;
    break;
  case '<':
    sort_ = column_at(static_cast<int>(sort_) - 1);
    break;
  case '>':
    sort_ = column_at(static_cast<int>(sort_) + 1);
    break;
  case 'r':
    descending_ = !descending_;
    break;
  case '/':
    editing_ = true;
    help_ = false;
    break;
  case kEscape:
    help_ = false;
    break;
  default:
    if (const int column = column_of_digit(key); column >= 0) {
      sort_ = column_at(column);
      break;
    }
    return Action::None;
  }
  return Action::Redraw;
}

void TopControls::set_filter(const std::string& text) {
  filter_text_ = text;
  apply_filter();
  if (!filter_error_.empty())
    throw Error(filter_error_);
}

TopControls::Action TopControls::edit(int key) {
  switch (key) {
  case '\n':
    editing_ = false;
    keys_done();
    if (!filter_error_.empty()) { // back to the filter in effect
      filter_text_ = applied_text_;
      filter_error_.clear();
    }
    break;
  case kEscape:
    editing_ = false;
    filter_text_.clear();
    apply_filter();
    break;
  case kBackspace:
    if (!filter_text_.empty())
      filter_text_.pop_back();
    typed_ = true;
    break;
  default:
    if (key < ' ' || key > '~')
      return Action::None;
    filter_text_ += static_cast<char>(key);
    typed_ = true;
  }
  return Action::Redraw;
}

void TopControls::keys_done() {
  if (std::exchange(typed_, false))
    apply_filter();
}

// As the user types: a filter that parses takes effect at once; one that
// does not yet keeps the last that did, and says why.
void TopControls::apply_filter() {
  std::vector<std::string> words;
  std::istringstream in(filter_text_);
  for (std::string word; in >> word;)
    words.push_back(word);
  try {
    filter_ = SocketFilter::parse(words, system_filter_names());
    applied_text_ = filter_text_;
    filter_error_.clear();
  } catch (const Error& e) {
    filter_error_ = e.what();
  }
}

} // namespace tcpsight
