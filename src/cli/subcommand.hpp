#pragma once

#include <CLI/CLI.hpp>
#include <memory>

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

// Each command's file registers it with app: its options, their parsing,
// and what it runs.
std::unique_ptr<Subcommand> add_trace_command(CLI::App& app);
std::unique_ptr<Subcommand> add_life_command(CLI::App& app);
std::unique_ptr<Subcommand> add_export_command(CLI::App& app);
std::unique_ptr<Subcommand> add_record_command(CLI::App& app);
std::unique_ptr<Subcommand> add_history_command(CLI::App& app);
std::unique_ptr<Subcommand> add_top_command(CLI::App& app);
std::unique_ptr<Subcommand> add_ls_command(CLI::App& app);
std::unique_ptr<Subcommand> add_netstat_command(CLI::App& app);
std::unique_ptr<Subcommand> add_states_command(CLI::App& app);

} // namespace tcpsight::cli
