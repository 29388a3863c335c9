// ukairo: the one command-line binary. Subcommands live in tools/cmd_*.cc.
#include <algorithm>
#include <iostream>
#include <map>
#include <vector>

#include "tools/command.h"

namespace ukairo::tools {
namespace {

std::vector<std::pair<int, CommandSetup>>& Registry() {
  static std::vector<std::pair<int, CommandSetup>> registry;
  return registry;
}

// ---------------------------------------------------------------------------
// Options before a subcommand's name.
//
// Users type `ukairo audit --ledger DIR request ID` as often as `ukairo audit
// request ID --ledger DIR`. CLI11 matches an option against the command it
// follows, so an option that only `request` declares fails in the first
// order. Instead of every group declaring its subcommands' options a second
// time, each command with subcommands accepts, hidden, every option of its
// subcommands; when a subcommand starts parsing, what was given before its
// name moves to its own option of that name, which then converts, validates
// and counts toward `required` exactly as if typed after the name. Options
// stay declared where they apply, so each subcommand's --help lists them.

// "audit request": the command's path below the root, for messages.
std::string CommandPath(const CLI::App* app) {
  std::string path;
  for (; app != nullptr && app->get_parent() != nullptr; app = app->get_parent()) {
    path = app->get_name() + (path.empty() ? "" : " " + path);
  }
  return path;
}

bool IsBuiltIn(const CLI::App& app, const CLI::Option* opt) {
  return opt == app.get_help_ptr() || opt == app.get_help_all_ptr() ||
         opt == app.get_version_ptr();
}

// The option's names as CLI11 takes them when adding one: "-q,--quiet".
std::string NamesOf(const CLI::Option& opt) {
  std::string names;
  for (const std::string& s : opt.get_snames()) names += (names.empty() ? "-" : ",-") + s;
  for (const std::string& l : opt.get_lnames()) names += (names.empty() ? "--" : ",--") + l;
  return names;
}

// The option of `app` answering to any name of `opt`, or nullptr.
CLI::Option* SameNamed(CLI::App* app, const CLI::Option& opt) {
  for (const std::string& l : opt.get_lnames()) {
    if (CLI::Option* o = app->get_option_no_throw("--" + l)) return o;
  }
  for (const std::string& s : opt.get_snames()) {
    if (CLI::Option* o = app->get_option_no_throw("-" + s)) return o;
  }
  return nullptr;
}

// "--ledger": how the option is typed (get_name() is empty for a hidden one).
std::string Spelling(const CLI::Option& opt) {
  if (!opt.get_lnames().empty()) return "--" + opt.get_lnames().front();
  return "-" + opt.get_snames().front();
}

bool IsFlag(const CLI::Option& opt) { return opt.get_expected_max() == 0; }

// A command's options, including those of its option groups (nameless
// subcommands), where the hidden collectors below live.
std::vector<CLI::Option*> AllOptions(CLI::App* app) {
  std::vector<CLI::Option*> all = app->get_options();
  for (CLI::App* part : app->get_subcommands([](CLI::App* s) { return s->get_name().empty(); })) {
    std::vector<CLI::Option*> more = AllOptions(part);
    all.insert(all.end(), more.begin(), more.end());
  }
  return all;
}

// What `group` collects for its subcommands: the hidden option group the
// collectors live in (a hidden option group, not hidden options, keeps the
// group's --help byte for byte as it was) and who takes each collector.
struct Collectors {
  CLI::App* hidden = nullptr;
  std::map<CLI::Option*, std::shared_ptr<std::string>> owners;  // "'audit spend', ..."
};

// A hidden option of `group` that only collects what is typed before the
// name of a subcommand taking `like`. Given without any subcommand it is an
// error, not silently ignored.
CLI::Option* AddCollector(CLI::App* group, const CLI::Option& like, Collectors* c) {
  if (c->hidden == nullptr) c->hidden = group->add_option_group("");
  auto owners = std::make_shared<std::string>();
  auto refuse_alone = [group, name = Spelling(like), owners] {
    if (group->get_subcommands().empty()) {
      throw CLI::ExtrasError(name + " is an option of " + *owners + "; give the subcommand too",
                             CLI::ExitCodes::ExtrasError);
    }
  };
  CLI::Option* collector = nullptr;
  if (IsFlag(like)) {
    collector =
        c->hidden->add_flag_function(NamesOf(like), [refuse_alone](int64_t) { refuse_alone(); });
  } else {
    CLI::callback_t callback = [refuse_alone](const CLI::results_t&) {
      refuse_alone();
      return true;
    };
    collector = c->hidden->add_option(NamesOf(like), std::move(callback), std::string(), false);
    collector->type_size(like.get_type_size_min(), like.get_type_size_max());
    collector->expected(like.get_expected_min(), like.get_expected_max());
    collector->allow_extra_args(like.get_allow_extra_args());
  }
  // The subcommand's own option decides what repeats mean.
  collector->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  c->owners.emplace(collector, owners);
  return collector;
}

// Makes `group` accept the options of `sub` before sub's name too, and hands
// them to sub's options when `sub` starts parsing.
void ShareOptions(CLI::App* group, CLI::App* sub, Collectors* collectors) {
  // group's option (its own, or a collector) → sub's option of that name
  auto moves = std::make_shared<std::map<const CLI::Option*, CLI::Option*>>();
  for (CLI::Option* opt : AllOptions(sub)) {
    if (!opt->nonpositional() || IsBuiltIn(*sub, opt)) continue;
    CLI::Option* before = SameNamed(group, *opt);
    if (before == nullptr) before = AddCollector(group, *opt, collectors);
    // Same name, different kind (a flag here, a value there): the values
    // would not fit, so this one is only accepted after the name.
    if (IsFlag(*before) != IsFlag(*opt)) continue;
    if (auto it = collectors->owners.find(before); it != collectors->owners.end()) {
      *it->second += (it->second->empty() ? "'" : ", '") + CommandPath(sub) + "'";
    }
    (*moves)[before] = opt;
  }
  sub->preparse_callback([group, sub, moves](std::size_t) {
    for (CLI::Option* given : AllOptions(group)) {
      if (given->count() == 0 || !given->nonpositional() || IsBuiltIn(*group, given)) continue;
      auto it = moves->find(given);
      if (it == moves->end()) {
        throw CLI::ExtrasError(Spelling(*given) + " is not an option of '" + CommandPath(sub) +
                                   "'",
                               CLI::ExitCodes::ExtrasError);
      }
      it->second->add_result(given->results());
    }
  });
}

// Applies ShareOptions below `app`, deepest commands first, so a group also
// collects what its subcommands collect for theirs.
void ShareOptionsWithSubcommands(CLI::App* app) {
  std::vector<CLI::App*> subs =
      app->get_subcommands([](CLI::App* s) { return !s->get_name().empty(); });
  for (CLI::App* sub : subs) ShareOptionsWithSubcommands(sub);
  if (app->get_parent() == nullptr) return;  // `ukairo --ledger X audit` is not a form
  Collectors collectors;
  for (CLI::App* sub : subs) ShareOptions(app, sub, &collectors);
}

}  // namespace

RegisterCommand::RegisterCommand(int order, CommandSetup setup) {
  Registry().emplace_back(order, std::move(setup));
}

}  // namespace ukairo::tools

int main(int argc, char** argv) {
  using namespace ukairo::tools;
  CLI::App app{
      "ukairo: an LLM gateway whose every decision lives in an event-sourced budget\n"
      "ledger, with a simulator that replays traffic through the same router core."};
  app.require_subcommand(1);
  app.set_version_flag("--version", "ukairo 0.1.0");
  int exit_code = kExitOk;
  auto& registry = Registry();
  std::stable_sort(registry.begin(), registry.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  for (auto& [order, setup] : registry) setup(app, &exit_code);
  ShareOptionsWithSubcommands(&app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? kExitOk : kExitUsage;
  }
  return exit_code;
}
