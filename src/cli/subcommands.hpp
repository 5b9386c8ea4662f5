#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <vector>

namespace tcpsight::cli {

// One subcommand of tcpsight: its options, what it checks once they are
// parsed, and what it runs.
class Subcommand {
public:
  explicit Subcommand(CLI::App* app) : app_(app) {}
  virtual ~Subcommand() = default;

  // Whether the user chose this one.
  bool chosen() const { return app_->parsed(); }
  // Turns the typed arguments into options. Throws tcpsight::Error: a usage error.
  virtual void finish_parsing() {}
  // The exit status. Throws tcpsight::Error: a runtime error.
  virtual int run() = 0;

private:
  CLI::App* app_;
};

// Registers every subcommand of tcpsight with app.
std::vector<std::unique_ptr<Subcommand>> add_subcommands(CLI::App& app);

} // namespace tcpsight::cli
