// The verdict of a run: the record checked against the scenario's expectations for its policy.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "results/run_record.h"
#include "scenarios/scenario.h"

namespace commsim::results {

// "pass", "fail" or "unchecked".
std::string verdict_name(Verdict verdict);
// The inverse of verdict_name (exact, lower case); nullopt for any other text.
std::optional<Verdict> parse_verdict(std::string_view text);

// Sets record.verdict and record.mismatches (previous contents are replaced) from
// scenario.expect[record.policy]:
//  - a record whose simulation failed (RunRecord::simulation_failure): kFail with the one
//    mismatch "simulation" (expected "a run to its end", actual "failed: <why>"), whatever the
//    expectations;
//  - no expectations for the policy: kUnchecked, no mismatches;
//  - otherwise every stated expectation is checked; kPass if all hold, else kFail with one
//    Mismatch per failed check, each positioned at the expectation block that stated it.
// Rules:
//  - groups: an expectation applies to every GroupRecord with that name; none -> "group X" not
//    found. backend, supports_tensor_dict, use_cpu_custom_send_recv exact; `log` = some line of
//    GroupRecord::logs contains the text; `no_log` true = no lines, false = at least one.
//  - ranks: key -1 ("all") applies to every rank, and a rank's own expectation overrides the
//    fields it sets (outcome, and each of error.type / message / op, probe outcome and probe
//    error fields separately). A rank key with no RankRecord is a mismatch, as is "all" in a
//    record with no ranks. outcome exact; error.type and error.op exact, error.message substring;
//    an error expectation on a rank without an error is one mismatch ("no error (outcome ok)").
//    Probe expectations check the rank's first ProbeRecord ("not run" if there is none).
//  - data: dicts_delivered exact; bit_identical true <=> dicts_mismatched == 0 and
//    dicts_delivered > 0, false <=> dicts_mismatched > 0 (with nothing delivered neither holds).
//  - sim_time: min <= sim_time_s <= max, both inclusive.
// Mismatches come in order: groups (by name), ranks (by rank), data, sim_time.
void apply_expectations(RunRecord& record, const scenario::Scenario& scenario);

}  // namespace commsim::results
