#pragma once

#include "tcpsight/pipeline/socket_filter.hpp"
#include "tcpsight/views/top_model.hpp"

#include <string>

namespace tcpsight {

// What the keys of `tcpsight top` do to the view, without a terminal:
//   q quit            p or space  pause        l  listeners on/off
//   n names on/off    h or ?  help             < >  sort by the previous/next column
//   1-8 sort by that column   r  reverse the order
//   /  type a filter (ls's language); Enter keeps it (or, if it does not
//      parse, goes back to the one in effect), Esc drops it
// Keys arrive as characters; the screen turns Backspace into 127 and
// Enter into '\n'.
class TopControls {
public:
  enum class Action { None, Redraw, Quit };

  Action handle(int key);
  // The keys that were waiting are handled: the filter typed meanwhile takes
  // effect (or says why it cannot). Parsing once per batch rather than once
  // per key keeps a pasted filter from costing time squared in its length.
  void keys_done();
  // A filter given on the command line, as if typed. Throws tcpsight::Error
  // when it does not parse.
  void set_filter(const std::string& text);

  // The sort, the listeners switch and the filter, for TopModel::rows().
  TopViewOptions view() const;
  bool paused() const { return paused_; }
  bool names() const { return names_; }
  bool help() const { return help_; }
  bool editing() const { return editing_; }
  // The filter as typed, and why it does not parse (empty when it does).
  const std::string& filter_text() const { return filter_text_; }
  const std::string& filter_error() const { return filter_error_; }

private:
  Action edit(int key);
  void apply_filter();

  TopColumn sort_ = TopColumn::Age;
  bool descending_ = false;
  bool listeners_ = true;
  bool paused_ = false;
  bool names_ = false;
  bool help_ = false;
  bool editing_ = false;
  bool typed_ = false; // the filter text changed since keys_done()
  std::string filter_text_;
  std::string applied_text_; // the text of the filter in effect
  std::string filter_error_;
  SocketFilter filter_;
};

} // namespace tcpsight
